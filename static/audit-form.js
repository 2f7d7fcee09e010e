// Autosave and a live suggestion for one section of an audit form.
//
// Progressive enhancement: without this script the section still saves with
// "Save and continue". With it, the section is saved in the background a moment
// after the auditor stops typing (at once for a radio or checkbox), and again when
// the page is hidden (laptop lid closed, tab switched), so a dropped connection or a
// closed laptop loses at most a few seconds of typing.
//
// The server is the truth: each save sends the audit's version and the server refuses
// one older than what is stored, so a save from a stale tab never overwrites a newer
// one. The server answers with the new version and the suggestion worked out by the
// tool's own rules from the answers as typed; no copy of any tool's rules lives here.
// Loaded as a file: the Content-Security-Policy allows no inline script.
(function () {
  "use strict";
  var form = document.querySelector("form[data-autosave]");
  if (!form || typeof window.fetch !== "function" || typeof window.FormData !== "function") {
    return;
  }
  var url = form.getAttribute("data-autosave-url");
  var version = form.querySelector("input[name=version]");
  var status = document.getElementById("autosave-status");
  var TYPING_PAUSE_MS = 2000;

  var timer = null;
  var dirty = false;
  var inFlight = null; // the promise of the save being sent, if any
  var stopped = false; // after a conflict: saving again could overwrite a newer save
  var submitting = false;

  function say(message) {
    // A no-break space while there is nothing to say keeps the line's height, so the
    // buttons below do not jump down as the first "Saved at" appears, just as the
    // auditor reaches for "Save and continue" (the click would land above the button).
    if (status) { status.textContent = message || "\u00a0"; }
  }
  say("");

  function save(keepalive) {
    window.clearTimeout(timer);
    // Once a button has sent the form, its post carries every answer: a background save
    // sent now (one queued behind the save on its way, or the page-hide save as the next
    // page loads) would carry the version that post replaces, and either be refused or,
    // reaching the server first, turn the button's save into a conflict.
    if (stopped || submitting || !dirty) { return inFlight || Promise.resolve(); }
    if (inFlight) {
      // One save at a time, in order: the next one carries the version the last returned.
      return inFlight.then(function () { return save(keepalive); });
    }
    dirty = false;
    var body = new FormData(form);
    body.set("autosave", "1");
    body.delete("action");
    inFlight = window.fetch(url, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { Accept: "application/json" },
      keepalive: !!keepalive
    }).then(function (response) {
      var type = response.headers.get("Content-Type") || "";
      if (type.indexOf("application/json") === -1) {
        // Not the section's reply: most likely the sign-in page, after the session ended.
        stopped = true;
        say("Not saved automatically: you may have been signed out. Your answers are still " +
            "on this page: choose “Save and continue”, and sign in again if asked.");
        return;
      }
      return response.json().then(function (reply) {
        if (reply.version !== null && reply.version !== undefined) {
          version.value = reply.version;
        }
        if (response.status === 409) { stopped = true; }
        if (response.status === 400) { dirty = true; } // try again after the next change
        say(reply.message || "");
        var suggestion = document.getElementById("suggestion");
        if (suggestion && reply.suggestion) {
          var holder = document.createElement("div");
          holder.innerHTML = reply.suggestion;
          var fresh = holder.querySelector("#suggestion");
          if (fresh) { suggestion.innerHTML = fresh.innerHTML; }
        }
      });
    }).catch(function () {
      dirty = true;
      say("Not saved automatically: no connection. Your answers are still on this page; " +
          "they will be saved when the connection is back.");
    }).then(function () {
      inFlight = null;
    });
    return inFlight;
  }

  function changed(event) {
    if (submitting || stopped) { return; }
    var target = event.target;
    var now = target && (target.type === "radio" || target.type === "checkbox");
    // A radio or checkbox fires "input" then "change": save once, on "change".
    if (now && event.type === "input") { return; }
    dirty = true;
    window.clearTimeout(timer);
    if (now) { save(false); } else { timer = window.setTimeout(save, TYPING_PAUSE_MS); }
  }

  form.addEventListener("input", changed);
  form.addEventListener("change", changed);
  window.addEventListener("online", function () { save(false); });
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden") { save(true); }
  });
  window.addEventListener("pagehide", function () { save(true); });
  // Back to this page from the browser's cache after a button sent it: it is being
  // answered again, so background saves resume.
  window.addEventListener("pageshow", function (event) {
    if (event.persisted) { submitting = false; }
  });

  // "Save and continue" while a background save is on its way: wait for it, so the
  // button's save carries the version that save returned instead of meeting a conflict.
  form.addEventListener("submit", function (event) {
    if (submitting) { return; }
    submitting = true;
    window.clearTimeout(timer);
    if (!inFlight) { return; }
    event.preventDefault();
    var submitter = event.submitter;
    inFlight.then(function () {
      if (typeof form.requestSubmit === "function") {
        form.requestSubmit(submitter || undefined);
      } else {
        form.submit();
      }
    });
  });
})();
