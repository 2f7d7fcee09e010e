// GOV.UK-style timeout warning: two minutes before the idle timeout, a dialog offers
// "Stay signed in". Progressive enhancement: without JavaScript the server still signs
// the user out after the idle timeout and nothing on the page depends on this script.
// Loaded as a file (the Content-Security-Policy allows no inline script).
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script || typeof window.fetch !== "function") { return; }
  var data = script.dataset;
  var idle = parseInt(data.idleSeconds, 10);
  var warn = parseInt(data.warnSeconds, 10);
  if (!(idle > warn && warn > 0)) { return; }
  var timer = null;
  var dialog = null;

  function schedule(secondsLeft) {
    window.clearTimeout(timer);
    if (secondsLeft > warn) {
      timer = window.setTimeout(check, (secondsLeft - warn) * 1000);
    } else if (secondsLeft > 0) {
      show(secondsLeft);
      timer = window.setTimeout(check, secondsLeft * 1000);
    } else {
      window.location.assign(data.timedOutUrl);
    }
  }

  // Another tab may have kept the session alive: ask the server (asking is not activity).
  function check() {
    window.fetch(data.statusUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.json(); })
      .then(function (body) {
        if (body.seconds_left > warn) { hide(); }
        schedule(body.seconds_left);
      })
      .catch(function () { timer = window.setTimeout(check, 30000); });
  }

  function staySignedIn() {
    window.fetch(data.keepAliveUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: { "X-CSRFToken": data.csrfToken, Accept: "application/json" }
    })
      .then(function (response) { return response.json(); })
      .then(function (body) { hide(); schedule(body.seconds_left); })
      .catch(function () { window.location.reload(); });
  }

  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text) { node.textContent = text; }
    return node;
  }

  function show(secondsLeft) {
    if (!dialog) {
      dialog = element("dialog", "careaudit-timeout-dialog govuk-body");
      dialog.setAttribute("aria-labelledby", "careaudit-timeout-heading");
      var heading = element("h2", "govuk-heading-m", "You’re about to be signed out");
      heading.id = "careaudit-timeout-heading";
      dialog.appendChild(heading);
      dialog.appendChild(element("p", "govuk-body careaudit-timeout-text"));
      var stay = element("button", "govuk-button", "Stay signed in");
      stay.type = "button";
      stay.addEventListener("click", staySignedIn);
      dialog.appendChild(stay);
      var form = document.getElementById("careaudit-sign-out");
      if (form) {
        var out = element("button", "govuk-button govuk-button--secondary", "Sign out");
        out.type = "button";
        out.addEventListener("click", function () { form.submit(); });
        dialog.appendChild(document.createTextNode(" "));
        dialog.appendChild(out);
      }
      dialog.addEventListener("cancel", function (event) { event.preventDefault(); staySignedIn(); });
      document.body.appendChild(dialog);
    }
    var minutes = Math.max(1, Math.ceil(secondsLeft / 60));
    dialog.querySelector(".careaudit-timeout-text").textContent =
      "For your security, we will sign you out in " + minutes +
      (minutes === 1 ? " minute" : " minutes") + " because you have not done anything for a while.";
    if (!dialog.open) {
      if (typeof dialog.showModal === "function") { dialog.showModal(); } else { dialog.setAttribute("open", ""); }
    }
  }

  function hide() {
    if (dialog && dialog.open) {
      if (typeof dialog.close === "function") { dialog.close(); } else { dialog.removeAttribute("open"); }
    }
  }

  schedule(idle);
})();
