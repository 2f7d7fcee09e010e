"""Every page type, for every role, in real Chromium: axe-core finds no WCAG 2.2 A or AA
violation at 1280 and at 320 CSS px, and at 320 px the page reflows (issue 11).

One synthetic council (the demo borough, ``core.demo.load``) is built once for the module,
on SQLite whatever the suite's backends (the markup does not depend on the database), with
a few records the demo has no reason to make (a draft audit for every auditing role, a
committee report and an export for every lead, people part-way through signing in). Each
role signs in once through the real sign-in page, CSRF and the content security policy on,
and visits every page type it may open; at 320 px the same page is resized, not reloaded,
as when zooming in. Where another role has already had the same content (the page's
title and ``<main>``) checked at that width, the check is skipped as a repeat: axe would
find the same, and the header, which differs by role, is checked on the role's other
pages. Page types come from the app's URL map: a GET endpoint neither checked
here nor excluded with its reason (EXCLUDED) fails :func:`test_every_get_page_is_checked`.
A failure names the page type, role, width and URL, and each axe rule broken with the
element it found.

axe is injected through the DevTools protocol (``page.evaluate``), which the page's CSP
(``script-src 'self'``) does not govern; an inline ``<script>`` would be blocked silently,
so every run also checks that axe ran: ``window.axe`` defined, the results' test engine
axe-core, and some checks passed.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from flask import Flask, url_for
from sqlalchemy import ColumnElement, select

from core.access import (
    ROLE_PERMISSIONS,
    Permission,
    audit_kind_for,
    audit_visibility,
    case_visibility,
    staff_visibility,
)
from core.extensions import db
from core.imports.staff import NO_PASSWORD
from core.mfa import totp
from core.models import Audit, AuditStatus, Case, Role, User
from core.models._types import utcnow
from core.testing.database import xdist_worker
from core.tools.info import Subject
from tests.browser.conftest import NAVIGATION_TIMEOUT_MS
from tests.demo_rows import load_demo, shared_folder

if TYPE_CHECKING:
    from flask.testing import FlaskClient
    from playwright.sync_api import Browser, Page

AXE_JS = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"
#: WCAG 2.0, 2.1 and 2.2 at levels A and AA: what public sector websites must meet.
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
WIDTHS = (1280, 320)
#: The narrowest width WCAG 2.2's reflow criterion (1.4.10) asks for, in CSS pixels.
REFLOW_WIDTH = 320
SIGNED_OUT = "signed_out"
ROLES = [role.value for role in Role]
DEMO_DOMAIN = "northwick.example"
#: Object pages try this many candidate records (best first) for one the role may open.
CANDIDATES = 6

# -- the page types -----------------------------------------------------------------------

#: GET endpoints that are not pages to check, each with its reason.
EXCLUDED = {
    "static": "stylesheets, scripts, fonts and images, not pages",
    "auth.session_status": "JSON for the timeout warning's script",
    "actions.export": "a CSV download",
    "programme.compliance_csv": "a CSV download",
    "trail.export": "a CSV download",
    "committee.download": "a PDF, Word, Excel or CSV download",
    "imports.audits_example": "a CSV download",
    # OpenID Connect needs the council's identity provider, which these tests do not run:
    # the start redirects to it, and the callback answers 404 while it is not set up, so
    # its problem page (oidc/problem.html) is not checked here.
    "oidc.start": "a redirect to the council's identity provider",
    "oidc.callback": "needs the council's identity provider (see above)",
}

#: The role's user in the demo borough (core.demo.DEMO_SIGN_INS).
DEMO_LOCAL_PARTS = {
    Role.TEAM_MANAGER: "team.manager",
    Role.DEPUTY_TEAM_MANAGER: "deputy.manager",
    Role.SOCIAL_WORKER: "social.worker",
    Role.SERVICE_MANAGER: "service.manager",
    Role.INDEPENDENT_REVIEWER: "iro",
    Role.SENIOR_MANAGER: "senior.manager",
    Role.PERFORMANCE_ANALYST: "analyst",
    Role.ADMINISTRATOR: "admin",
}

#: (the user, or None when signed out; a test client signed in as them) -> URLs, best first.
Candidates = Callable[[User | None, "FlaskClient"], Iterable[str]]


@dataclass(frozen=True)
class PageType:
    """A kind of page: its endpoint and the URLs to try for a user (None: signed out)."""

    name: str
    endpoint: str
    urls: Candidates
    status: int = 200
    signed_out: bool = False  # only for visitors who are not signed in
    #: Whether the role may open a record depends on more than a query can say simply
    #: (who manages whom, who moderates what): each candidate is asked for in turn.
    probe: bool = False


def fixed(endpoint: str, **values: Any) -> Candidates:
    return lambda user, client: [url_for(endpoint, **values)]


def rows(
    endpoint: str, argument: str, query: Callable[[User], Any], limit: int = CANDIDATES
) -> Candidates:
    """URLs of the first records ``query(user)`` selects (ids), for ``argument``."""

    def urls(user: User | None, client: FlaskClient) -> list[str]:
        assert user is not None
        ids = db.session.scalars(query(user).limit(limit)).all()
        return [url_for(endpoint, **{argument: record_id}) for record_id in ids]

    return urls


def _visible_audits(user: User, *conditions: ColumnElement[bool]) -> Any:
    return select(Audit.id).where(audit_visibility(user), *conditions).order_by(Audit.id.desc())


def _submitted_case_audits(user: User) -> Any:
    return _visible_audits(user, Audit.status == AuditStatus.SUBMITTED, Audit.case_id.is_not(None))


def _model_ids(model_name: str, *order: str) -> Callable[[User], Any]:
    def query(user: User) -> Any:
        import core.models

        model = getattr(core.models, model_name)
        return select(model.id).order_by(*(getattr(model, o) for o in order or ("id",)))

    return query


def _themed_ids(user: User) -> Any:
    from plugins.themed_audits.models import ThemedAudit

    return select(ThemedAudit.id).order_by(ThemedAudit.id)


def _action_ids(user: User) -> Any:
    from core.models import RemedialAction

    owned = RemedialAction.owner_id == user.id
    visible = RemedialAction.audit_id.in_(_visible_audits(user))
    return select(RemedialAction.id).where(owned | visible).order_by(RemedialAction.id.desc())


def _reaudit_ids(user: User) -> Any:
    from core.models import ReAudit

    return select(ReAudit.id).where(ReAudit.audit_id.in_(_visible_audits(user)))


def _feedback_audits(user: User) -> Any:
    from core.models import Feedback

    return (
        select(Feedback.audit_id)
        .join(Audit, Audit.id == Feedback.audit_id)
        .where(audit_visibility(user))
        .order_by(Feedback.id.desc())
    )


def _moderation_ids(user: User) -> Any:
    from core.models import Moderation

    # The moderator's own first (blind until their audit is in), then completed ones.
    return select(Moderation.id).order_by(
        (Moderation.moderator_id == user.id).desc(), Moderation.id
    )


def _allocation_ids(user: User) -> Any:
    from core.models import Allocation

    return select(Allocation.id).order_by((Allocation.auditor_id == user.id).desc(), Allocation.id)


def _committee_ids(user: User) -> Any:
    from core.models import CommitteeReport

    return (
        select(CommitteeReport.id)
        .where(CommitteeReport.created_by_id == user.id)
        .order_by(CommitteeReport.id)
    )


def _export_ids(user: User) -> Any:
    from core.models import CommitteeExport

    return select(CommitteeExport.id).where(CommitteeExport.created_by_id == user.id)


def _draft_ids(user: User) -> Any:
    return select(Audit.id).where(Audit.auditor_id == user.id, Audit.status == AuditStatus.DRAFT)


def _sections(which: int) -> Candidates:
    """A section of the user's draft audit, from the links on its task list."""

    def urls(user: User | None, client: FlaskClient) -> list[str]:
        assert user is not None
        found = []
        for audit_id in db.session.scalars(_draft_ids(user)):
            task_list = client.get(url_for("audits.edit", audit_id=audit_id))
            links = re.findall(
                rf'href="(/audits/{audit_id}/sections/[^"#?]+)"', task_list.get_data(as_text=True)
            )
            if links:
                found.append(links[which])
        return found

    return urls


def _visible_cases(user: User) -> Any:
    return select(Case.id).where(case_visibility(user)).order_by(Case.id)


def _visible_staff(user: User) -> Any:
    return select(User.id).where(staff_visibility(user)).order_by(User.id.desc())


def _error_403(user: User | None, client: FlaskClient) -> list[str]:
    assert user is not None
    # A page each role is refused: the administration pages, or for administrators
    # the case pages, which show case-level data they must not see.
    if user.role is Role.ADMINISTRATOR:
        return [url_for("cases.find")]
    return [url_for("admin.index")]


def _set_password(user: User | None, client: FlaskClient) -> list[str]:
    from core.accounts.links import setup_token

    newcomer = db.session.scalar(select(User).where(User.email == f"newcomer@{DEMO_DOMAIN}"))
    assert newcomer is not None
    return [url_for("accounts.set_password", token=setup_token(newcomer))]


PAGES: list[PageType] = [
    # Signed out.
    PageType("auth.sign_in", "auth.sign_in", fixed("auth.sign_in"), signed_out=True),
    PageType("accounts.set_password", "accounts.set_password", _set_password, signed_out=True),
    PageType(
        "accounts.set_password:expired",
        "accounts.set_password",
        fixed("accounts.set_password", token="not-a-token"),
        status=404,
        signed_out=True,
    ),
    PageType(
        "error.404:signed_out",
        "error",
        lambda user, client: ["/no-such-page"],
        404,
        signed_out=True,
    ),
    # Every signed-in user.
    PageType("home.index", "home.index", fixed("home.index")),
    PageType("auth.account", "auth.account", fixed("auth.account")),
    PageType(
        "accounts.change_password", "accounts.change_password", fixed("accounts.change_password")
    ),
    PageType("mfa.settings", "mfa.settings", fixed("mfa.settings")),
    PageType("mfa.set_up", "mfa.set_up", fixed("mfa.set_up")),
    PageType("messages.index", "messages.index", fixed("messages.index")),
    PageType("error.403", "error", _error_403, 403),
    PageType("error.404", "error", lambda user, client: ["/no-such-page"], 404),
    # Cases, audits and what follows an audit.
    PageType("cases.find", "cases.find", fixed("cases.find")),
    PageType("cases.find:search", "cases.find", fixed("cases.find", q="C")),
    PageType("cases.show", "cases.show", rows("cases.show", "case_id", _visible_cases)),
    PageType("audits.show", "audits.show", rows("audits.show", "audit_id", _submitted_case_audits)),
    PageType(
        "audits.show:staff",
        "audits.show",
        rows(
            "audits.show",
            "audit_id",
            lambda u: _visible_audits(
                u, Audit.status == AuditStatus.SUBMITTED, Audit.case_id.is_(None)
            ),
        ),
    ),
    PageType("audits.edit", "audits.edit", rows("audits.edit", "audit_id", _draft_ids)),
    PageType("audits.section:first", "audits.section", _sections(0)),
    PageType("audits.section:last", "audits.section", _sections(-1)),
    PageType("audits.check", "audits.check", rows("audits.check", "audit_id", _draft_ids)),
    PageType(
        "audits.submitted",
        "audits.submitted",
        rows(
            "audits.submitted",
            "audit_id",
            lambda u: _visible_audits(
                u, Audit.auditor_id == u.id, Audit.status == AuditStatus.SUBMITTED
            ),
        ),
    ),
    PageType("staff.index", "staff.index", fixed("staff.index")),
    PageType("staff.show", "staff.show", rows("staff.show", "user_id", _visible_staff)),
    PageType("actions.index", "actions.index", fixed("actions.index")),
    PageType("actions.show", "actions.show", rows("actions.show", "action_id", _action_ids)),
    PageType(
        "actions.new",
        "actions.new",
        rows("actions.new", "audit_id", _submitted_case_audits, 40),
        probe=True,
    ),
    PageType(
        "actions.reaudit",
        "actions.reaudit",
        rows("actions.reaudit", "audit_id", _submitted_case_audits, 40),
        probe=True,
    ),
    PageType(
        "actions.comparison",
        "actions.comparison",
        rows("actions.comparison", "reaudit_id", _reaudit_ids),
    ),
    PageType(
        "feedback.reply",
        "feedback.reply",
        rows("feedback.reply", "audit_id", _feedback_audits, 40),
        probe=True,
    ),
    PageType(
        "feedback.supervision",
        "feedback.supervision",
        rows("feedback.supervision", "audit_id", _feedback_audits, 40),
        probe=True,
    ),
    PageType("concerns.index", "concerns.index", fixed("concerns.index")),
    PageType(
        "concerns.show",
        "concerns.show",
        rows("concerns.show", "concern_id", _model_ids("Concern")),
        probe=True,
    ),
    PageType(
        "concerns.raise_concern",
        "concerns.raise_concern",
        rows("concerns.raise_concern", "audit_id", _submitted_case_audits),
    ),
    PageType("moderation.index", "moderation.index", fixed("moderation.index")),
    PageType(
        "moderation.show",
        "moderation.show",
        rows("moderation.show", "moderation_id", _moderation_ids, 80),
        probe=True,
    ),
    PageType("moderation.agreement", "moderation.agreement", fixed("moderation.agreement")),
    PageType("moderation.rule", "moderation.rule", fixed("moderation.rule")),
    # The programme, reports and committee packs.
    PageType("programme.compliance", "programme.compliance", fixed("programme.compliance")),
    PageType("programme.runs", "programme.runs", fixed("programme.runs")),
    PageType("programme.rules", "programme.rules", fixed("programme.rules")),
    PageType(
        "programme.rule",
        "programme.rule",
        rows("programme.rule", "rule_id", _model_ids("AuditRule"), 40),
        probe=True,  # a service manager edits their own service's rules
    ),
    PageType(
        "programme.allocation",
        "programme.allocation",
        rows("programme.allocation", "allocation_id", _allocation_ids),
        probe=True,
    ),
    *(
        PageType(f"reports.report:{view}", "reports.report", fixed("reports.report", view=view))
        for view in ("results", "compare", "trend", "followup")
    ),
    PageType("narrative.page", "narrative.page", fixed("narrative.page")),
    PageType("committee.index", "committee.index", fixed("committee.index")),
    PageType(
        "committee.show", "committee.show", rows("committee.show", "report_id", _committee_ids)
    ),
    PageType(
        "committee.preview",
        "committee.preview",
        rows("committee.preview", "report_id", _committee_ids),
    ),
    PageType(
        "committee.issue", "committee.issue", rows("committee.issue", "report_id", _committee_ids)
    ),
    PageType(
        "committee.export_status",
        "committee.export_status",
        rows("committee.export_status", "export_id", _export_ids),
    ),
    PageType("themed_audits.index", "themed_audits.index", fixed("themed_audits.index")),
    PageType("themed_audits.new", "themed_audits.new", fixed("themed_audits.new")),
    PageType(
        "themed_audits.show",
        "themed_audits.show",
        rows("themed_audits.show", "themed_id", _themed_ids),
        probe=True,
    ),
    PageType(
        "themed_audits.findings",
        "themed_audits.findings",
        rows("themed_audits.findings", "themed_id", _themed_ids),
        probe=True,
    ),
    # Administration and imports.
    PageType("admin.index", "admin.index", fixed("admin.index")),
    PageType("admin.users", "admin.users", fixed("admin.users")),
    PageType("admin.new_user", "admin.new_user", fixed("admin.new_user")),
    PageType(
        "admin.edit_user", "admin.edit_user", rows("admin.edit_user", "user_id", _model_ids("User"))
    ),
    PageType("admin.services", "admin.services", fixed("admin.services")),
    PageType(
        "admin.edit_service",
        "admin.edit_service",
        rows("admin.edit_service", "service_id", _model_ids("Service")),
    ),
    PageType("admin.edit_service:new", "admin.edit_service", fixed("admin.edit_service")),
    PageType("admin.categories", "admin.categories", fixed("admin.categories")),
    PageType(
        "admin.edit_category",
        "admin.edit_category",
        rows("admin.edit_category", "category_id", _model_ids("Category")),
    ),
    PageType(
        "admin.new_category",
        "admin.new_category",
        rows("admin.new_category", "directorate_id", _model_ids("Directorate")),
    ),
    PageType("admin.grades", "admin.grades", fixed("admin.grades")),
    PageType("admin.tools", "admin.tools", fixed("admin.tools")),
    PageType(
        "admin.service_tools",
        "admin.service_tools",
        rows("admin.service_tools", "service_id", _model_ids("Service")),
    ),
    PageType("trail.index", "trail.index", fixed("trail.index")),
    PageType("imports.index", "imports.index", fixed("imports.index")),
    PageType(
        "imports.show",
        "imports.show",
        rows("imports.show", "run_id", _model_ids("ImportRun")),
        probe=True,  # quality assurance sees its own kind of import only
    ),
    *(
        PageType(
            f"imports.upload:{slug}",
            "imports.upload",
            fixed("imports.upload", slug=slug),
            probe=True,  # quality assurance imports past audits only
        )
        for slug in ("staff", "cases", "cin-census", "ssda903", "audits")
    ),
    PageType("imports.mapping_list", "imports.mapping_list", fixed("imports.mapping_list")),
    PageType(
        "imports.edit_mapping",
        "imports.edit_mapping",
        rows("imports.edit_mapping", "mapping_id", _model_ids("ColumnMapping")),
    ),
    PageType("imports.edit_mapping:new", "imports.edit_mapping", fixed("imports.edit_mapping")),
]
PAGE_NAMES = [page.name for page in PAGES]
PAGE_BY_NAME = {page.name: page for page in PAGES}
#: The two-step sign-in's pages, checked by test_two_step_sign_in_pages_pass_axe.
TWO_STEP_PAGES = {"mfa.verify", "mfa.enrol"}


def test_every_get_page_is_checked(app: Flask) -> None:
    """A new page type fails here until it is checked below or excluded with a reason."""
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules() if "GET" in rule.methods}
    checked = {page.endpoint for page in PAGES} | TWO_STEP_PAGES
    assert sorted(endpoints - checked - set(EXCLUDED)) == []
    assert sorted((checked | set(EXCLUDED)) - endpoints - {"error"}) == []  # none stale
    assert len(PAGE_NAMES) == len(set(PAGE_NAMES))


# -- the council, served -------------------------------------------------------------------


@dataclass
class Site:
    base_url: str
    app: Flask
    #: (role or SIGNED_OUT, page type) -> the URL to check; absent: the role may not open it.
    urls: dict[tuple[str, str], str]


def _email(role: Role) -> str:
    return f"{DEMO_LOCAL_PARTS[role]}@{DEMO_DOMAIN}"


def _add_what_the_demo_lacks(client: FlaskClient) -> None:
    """A draft audit for each auditing role, a committee report and a CSV export for each
    lead, and a newcomer with a set-up link, so each role has every page type to open."""
    from core.audits import workflow
    from core.demo import DEMO_PASSWORD
    from core.tools.registry import get_registry

    registry = get_registry()
    for role in Role:
        user = db.session.scalar(select(User).where(User.email == _email(role)))
        assert user is not None
        if Permission.CONDUCT_AUDITS in ROLE_PERMISSIONS[role] and not db.session.scalar(
            _draft_ids(user)
        ):
            for case in db.session.scalars(select(Case).where(case_visibility(user), Case.is_open)):
                tools = [
                    t.slug
                    for t in registry.enabled_for(case.service_id)
                    if t.subject == Subject.CASE
                ]
                if tools and audit_kind_for(user, case) is not None:
                    workflow.start_audit(registry, case, user, tools[0], f"a11y-{role.value}")
                    db.session.commit()
                    break
        if Permission.BUILD_COMMITTEE_REPORTS in ROLE_PERMISSIONS[role]:
            client.post("/sign-in", data={"email": user.email, "password": DEMO_PASSWORD})
            built = client.post("/committee/", data={"title": f"Quality report ({role.label})"})
            assert built.status_code == 302, built.get_data(as_text=True)
            report_id = int(built.headers["Location"].rstrip("/").rsplit("/", 1)[-1])
            exported = client.post(f"/committee/{report_id}/exports", data={"format": "csv"})
            assert exported.status_code == 302
            client.post("/sign-out")
    # Someone who set up two-step verification, for its sign-in page, and an administrator
    # who has not, for the set-up page (test_two_step_sign_in_pages_pass_axe).
    from core.passwords import hash_password

    worker = db.session.scalar(select(User).where(User.email == _email(Role.SOCIAL_WORKER)))
    assert worker is not None
    for local, role, secret in (
        ("two.step", Role.SOCIAL_WORKER, totp.new_secret()),
        ("new.admin", Role.ADMINISTRATOR, None),
    ):
        db.session.add(
            User(
                name=local.replace(".", " ").title(),
                email=f"{local}@{DEMO_DOMAIN}",
                role=role,
                team=worker.team if role.needs_team else None,
                password_hash=hash_password(DEMO_PASSWORD),
                mfa_secret=secret,
                mfa_enrolled_at=utcnow() if secret else None,
            )
        )
    # Staff the staff import made have no password until they follow their set-up link.
    db.session.add(
        User(
            name="New Comer",
            email=f"newcomer@{DEMO_DOMAIN}",
            role=Role.SOCIAL_WORKER,
            password_hash=NO_PASSWORD,
        )
    )
    db.session.commit()


def _resolve(app: Flask, client: FlaskClient, who: str) -> dict[tuple[str, str], str]:
    """The URL of each page type ``who`` may open. A role without the view's permission
    has none; a record page takes the first record the role may see, or for ``probe``
    page types the first the app opens for them (asked through the Flask test client).
    Refusals by row (e.g. concerns.index for roles that answer no concern) show in the
    browser as a 403, and that test skips."""
    from core.access import has_permission
    from core.demo import DEMO_PASSWORD

    user = None
    if who != SIGNED_OUT:
        user = db.session.scalar(select(User).where(User.email == _email(Role(who))))
        assert user is not None
        client.post("/sign-in", data={"email": user.email, "password": DEMO_PASSWORD})
    found = {}
    for page in PAGES:
        if page.signed_out != (user is None):
            continue
        view = app.view_functions.get(page.endpoint)
        if user and view and not has_permission(user, view.required_permission):
            continue
        for url in page.urls(user, client):
            if not page.probe or client.get(url).status_code == page.status:
                found[(who, page.name)] = url
                break
    if user is not None:
        client.post("/sign-out")
    return found


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """The demo borough served from a thread, on SQLite whatever the suite's backends:
    the markup does not depend on the database, and the demo loads fastest there."""
    import threading

    from werkzeug.serving import make_server

    from core import create_app
    from core.testing.database import empty_tables, migrated_database, sqlite_url, test_config

    url = migrated_database(sqlite_url(tmp_path_factory.mktemp("a11y-db")))
    app = create_app(test_config(url))
    with app.app_context(), app.test_request_context():
        load_demo(shared_folder(tmp_path_factory))  # loaded once in the run, then copied
        client = app.test_client()
        _add_what_the_demo_lacks(client)
        urls: dict[tuple[str, str], str] = {}
        for who in [SIGNED_OUT, *ROLES]:
            urls.update(_resolve(app, client, who))
        db.session.close()  # no transaction of this thread's may hold SQLite's lock
        app.config["WTF_CSRF_ENABLED"] = True  # the browser's forms carry their tokens
        server = make_server("127.0.0.1", 0, app, threaded=True)
        thread = threading.Thread(target=server.serve_forever, name="a11y-server", daemon=True)
        thread.start()
        try:
            yield Site(f"http://127.0.0.1:{server.server_port}", app, urls)
        finally:
            server.shutdown()
            server.server_close()
            thread.join(timeout=15)
            db.session.rollback()
            empty_tables()
            db.session.remove()
            db.engine.dispose()


def test_every_page_type_opens_for_some_role(site: Site) -> None:
    """A page type no role could open would be checked by nobody."""
    opened = {name for (_who, name) in site.urls}
    assert sorted(set(PAGE_NAMES) - opened) == []
    for role in ROLES:  # and every role signs in (administrators' and analysts' home
        assert (role, "auth.account") in site.urls  # page sends them on to their own)


# -- the browser ------------------------------------------------------------------------------

#: Elements wider than the 320 px screen outside a region that scrolls them; the
#: regions that scroll sideways without being focusable, labelled landmarks.
REFLOW_PROBLEMS_JS = """
(width) => {
  const describe = (el) => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
    (el.className && typeof el.className === 'string' ?
      '.' + el.className.trim().split(/\\s+/).join('.') : '');
  const overflow = (el) => getComputedStyle(el).overflowX;
  const scrolls = (el) => ['auto', 'scroll'].includes(overflow(el));
  // What a clipping box hides (GOV.UK's visually hidden text) never widens the screen.
  const clips = (el) => ['hidden', 'clip'].includes(overflow(el));
  const problems = [];
  const page = document.documentElement.scrollWidth;
  if (page > width) problems.push(`the page is ${page} px wide`);
  for (const el of document.body.querySelectorAll('*')) {
    const box = el.getBoundingClientRect();
    if (box.right <= width + 1) continue;
    // An absolutely positioned element escapes a scroller that is not positioned itself
    // nor has a positioned element between them: it widens the page instead.
    const absolute = ['absolute', 'fixed'].includes(getComputedStyle(el).position);
    let parent = el.parentElement, inside = false, contained = !absolute;
    while (parent && parent !== document.body) {
      contained ||= getComputedStyle(parent).position !== 'static';
      if ((scrolls(parent) || clips(parent)) && contained) { inside = true; break; }
      parent = parent.parentElement;
    }
    if (!inside)
      problems.push(`${describe(el)} reaches ${Math.round(box.right)} px`);
    if (problems.length > 5) break;
  }
  for (const el of document.body.querySelectorAll('*')) {
    if (!scrolls(el) || el.scrollWidth <= el.clientWidth + 1) continue;
    const named = el.getAttribute('aria-label') || el.getAttribute('aria-labelledby');
    if (el.getAttribute('tabindex') !== '0' || el.getAttribute('role') !== 'region' || !named)
      problems.push(`${describe(el)} scrolls sideways but is not a focusable, labelled region`);
  }
  return problems;
}
"""


NEXT_FRAME_JS = "() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))"


def run_axe(tab: Page) -> dict[str, Any]:
    """axe-core's results for the page, after checking that axe really ran on it."""
    if not tab.evaluate("typeof window.axe === 'object'"):
        # DevTools' Runtime.evaluate is not subject to the page's CSP, which blocks
        # inline scripts (``add_script_tag(content=...)`` would fail silently).
        tab.evaluate(AXE_JS.read_text(encoding="utf-8"))
    assert tab.evaluate("typeof window.axe === 'object' && typeof axe.run === 'function'"), (
        "axe-core did not load into the page"
    )
    results = tab.evaluate(
        "options => axe.run(document, options)",
        {"runOnly": {"type": "tag", "values": AXE_TAGS}, "resultTypes": ["violations"]},
    )
    assert results["testEngine"]["name"] == "axe-core", results.get("testEngine")
    assert results["passes"], "axe-core passed no check at all: it did not look at the page"
    return results


def govuk_conditional_reveal(rule: str, node: dict[str, Any]) -> bool:
    """GOV.UK Frontend's radios and checkboxes that reveal a question set aria-expanded,
    which ARIA 1.2 does not allow on them. GOV.UK keeps it on purpose: screen readers
    announce it, and user research found it helps (alphagov/govuk-frontend#979, a known
    issue). Only that attribute on those inputs is let through."""
    html = node.get("html", "")
    messages = [check["message"] for check in node.get("any", []) + node.get("all", [])]
    return (
        rule == "aria-allowed-attr"
        and re.search(r'class="govuk-(radios|checkboxes)__input"', html) is not None
        and "aria-controls=" in html
        and all("aria-expanded" in message for message in messages)
    )


def describe_violations(results: dict[str, Any]) -> list[str]:
    lines = []
    for violation in results["violations"]:
        for node in violation["nodes"]:
            if govuk_conditional_reveal(violation["id"], node):
                continue
            lines.append(
                f"{violation['id']} ({violation['impact']}): {' '.join(map(str, node['target']))}"
                f" - {node.get('failureSummary', '').splitlines()[-1].strip()}"
            )
    return lines


class Tabs:
    """One browser tab per role, signed in through the real sign-in page once."""

    def __init__(self, browser: Browser, base_url: str) -> None:
        self.browser = browser
        self.base_url = base_url
        self.tabs: dict[str, Page] = {}
        #: The URL each role's tab shows, the status it answered and whether it redirected.
        self.showing: dict[str, str] = {}
        self.status: dict[str, int] = {}
        self.redirected: dict[str, bool] = {}
        self.problems: dict[str, list[str]] = {}

    def __call__(self, who: str) -> Page:
        if who not in self.tabs:
            from core.demo import DEMO_PASSWORD

            context = self.browser.new_context(base_url=self.base_url)
            context.set_default_timeout(15_000)
            context.set_default_navigation_timeout(NAVIGATION_TIMEOUT_MS)
            tab = context.new_page()
            problems: list[str] = []
            tab.on("pageerror", lambda error: problems.append(f"JavaScript error: {error}"))
            tab.on("console", lambda message: _note_csp(message, problems))
            if who != SIGNED_OUT:
                tab.goto("/sign-in")
                tab.get_by_label("Email address").fill(_email(Role(who)))
                tab.get_by_label("Password", exact=True).fill(DEMO_PASSWORD)
                tab.get_by_role("button", name="Sign in").click()
                tab.get_by_text("Signed in as").wait_for()
            self.tabs[who] = tab
            self.problems[who] = problems
        return self.tabs[who]

    def close(self) -> None:
        for tab in self.tabs.values():
            tab.context.close()


def _note_csp(message: Any, problems: list[str]) -> None:
    # A script or style the CSP blocks means the page does not work as designed.
    if message.type == "error" and "Content Security Policy" in message.text:
        problems.append(message.text)


#: A page's own content (its <title> and <main>), without the per-request CSRF token.
CONTENT_JS = """() => (document.title + '\\n' + (document.querySelector('main') || document.body)
  .outerHTML).replace(/(name="csrf_token"[^>]*value=")[^"]*/g, '$1')"""


@pytest.fixture(scope="module")
def checked_content(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where each page content already checked at each width is noted, shared by the
    run's xdist workers (one folder above each worker's own)."""
    base = tmp_path_factory.getbasetemp()
    folder = (base.parent if xdist_worker() else base) / "a11y-checked"
    folder.mkdir(exist_ok=True)
    return folder


def first_to_check(folder: Path, page_name: str, width: int, content: str) -> bool:
    """Whether no other role (in any worker) has had this same content checked at this
    width. Roles often see a page type identically (an error page, the council's report);
    axe would find the same thing again. The header and menu, which differ by role, are
    checked on the role's other pages."""
    digest = hashlib.sha256(f"{page_name}\n{width}\n{content}".encode()).hexdigest()
    try:
        (folder / digest).touch(exist_ok=False)  # atomic: one worker wins
    except FileExistsError:
        return False
    return True


@pytest.fixture(scope="module")
def tabs(chromium: Browser, site: Site) -> Iterator[Tabs]:
    opened = Tabs(chromium, site.base_url)
    try:
        yield opened
    finally:
        opened.close()


@pytest.mark.browser
@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("page_name", PAGE_NAMES)
@pytest.mark.parametrize("who", [SIGNED_OUT, *ROLES])
def test_page_passes_axe_and_reflows(
    who: str, page_name: str, width: int, site: Site, tabs: Tabs, checked_content: Path
) -> None:
    """No WCAG 2.2 A/AA violation axe-core can find; at 320 px no sideways scrolling
    except inside a focusable, labelled region."""
    url = site.urls.get((who, page_name))
    if url is None:
        pytest.skip("the role may not open this page type (or has none to open)")
    page = PAGE_BY_NAME[page_name]
    tab = tabs(who)
    tab.set_viewport_size({"width": width, "height": 900})
    if tabs.showing.get(who) != url:
        # At the next width the same page is resized, not reloaded: as when zooming in.
        response = tab.goto(url)
        assert response is not None
        tabs.showing[who] = url
        tabs.status[who] = response.status
        tabs.redirected[who] = response.request.redirected_from is not None
    else:
        tab.evaluate(NEXT_FRAME_JS)  # let scripts see the new width (GOV.UK's menu)
    if page.status == 200 and tabs.status[who] == 403:
        pytest.skip("the role is refused this page by its rows (403)")
    if page.status == 200 and tabs.redirected[who]:
        pytest.skip("the role is sent on to another page (redirect)")
    assert tabs.status[who] == page.status, f"{url} answered {tabs.status[who]}"
    where = f"{page_name} as {who} at {width} px ({url})"
    if not first_to_check(checked_content, page_name, width, tab.evaluate(CONTENT_JS)):
        scripts = list(tabs.problems[who])  # script errors and the CSP still count
        tabs.problems[who].clear()
        assert not scripts, f"{where}:\n" + "\n".join(scripts)
        pytest.skip("another role sees this page type identically, checked already")
    problems = describe_violations(run_axe(tab))
    if width == REFLOW_WIDTH:
        problems += [f"reflow: {p}" for p in tab.evaluate(REFLOW_PROBLEMS_JS, REFLOW_WIDTH)]
    problems += tabs.problems[who]
    tabs.problems[who].clear()
    assert not problems, f"{where}:\n" + "\n".join(problems)


@pytest.mark.browser
def test_axe_is_injected_past_the_content_security_policy(tabs: Tabs) -> None:
    """The CSP blocks an inline script, the way a ``<script>`` tag would bring axe in
    (in the page nothing says so but the console); through DevTools axe loads and runs."""
    from playwright.sync_api import Error as PlaywrightError

    tab = tabs(SIGNED_OUT)
    tab.goto("/sign-in")
    with pytest.raises(PlaywrightError, match="Content Security Policy"):
        tab.add_script_tag(content="window.careauditInlineRan = true;")
    assert tab.evaluate("window.careauditInlineRan === undefined")
    tabs.problems[SIGNED_OUT].clear()  # the refusal logged by the console
    tabs.showing.pop(SIGNED_OUT, None)
    assert run_axe(tab)["testEngine"]["name"] == "axe-core"


def _password_step(tab: Page, local: str) -> None:
    from core.demo import DEMO_PASSWORD

    tab.goto("/sign-in")
    tab.get_by_label("Email address").fill(f"{local}@{DEMO_DOMAIN}")
    tab.get_by_label("Password", exact=True).fill(DEMO_PASSWORD)
    tab.get_by_role("button", name="Sign in").click()


def _check(tab: Page, where: str, width: int) -> None:
    tab.set_viewport_size({"width": width, "height": 900})
    tab.evaluate(NEXT_FRAME_JS)
    problems = describe_violations(run_axe(tab))
    if width == REFLOW_WIDTH:
        problems += [f"reflow: {p}" for p in tab.evaluate(REFLOW_PROBLEMS_JS, REFLOW_WIDTH)]
    assert not problems, f"{where} at {width} px ({tab.url}):\n" + "\n".join(problems)


@pytest.mark.browser
def test_two_step_sign_in_pages_pass_axe(chromium: Browser, site: Site) -> None:
    """The pages between the password and the service (mfa.verify, mfa.enrol and the
    recovery codes it ends with) and the sign-in page's error state, at both widths."""
    from playwright.sync_api import expect

    context = chromium.new_context(base_url=site.base_url)
    context.set_default_timeout(15_000)
    tab = context.new_page()
    try:
        tab.goto("/sign-in")
        tab.get_by_role("button", name="Sign in").click()
        expect(tab.locator(".govuk-error-summary")).to_be_visible()
        for width in WIDTHS:
            _check(tab, "auth.sign_in with errors", width)

        _password_step(tab, "two.step")
        expect(tab).to_have_url(re.compile(r"/sign-in/two-step$"))
        for width in WIDTHS:
            _check(tab, "mfa.verify", width)
        tab.get_by_role("link", name="Sign in as someone else").click()

        site.app.config["MFA_ENFORCED"] = True  # administrators must set it up
        try:
            _password_step(tab, "new.admin")
            expect(tab).to_have_url(re.compile(r"/sign-in/two-step/set-up$"))
            for width in WIDTHS:
                _check(tab, "mfa.enrol", width)
            tab.get_by_text("I cannot scan the QR code").click()
            key = tab.locator(".careaudit-key").inner_text().replace(" ", "")
            tab.get_by_label("Enter the 6-digit code the app shows").fill(
                totp.code_at(key, utcnow())
            )
            tab.get_by_role("button", name="Continue").click()
            expect(tab.get_by_role("heading", name="Save your recovery codes")).to_be_visible()
            for width in WIDTHS:
                _check(tab, "mfa.enrol: recovery codes", width)
        finally:
            site.app.config["MFA_ENFORCED"] = False
    finally:
        context.close()
