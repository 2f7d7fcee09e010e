"""The narrative page: evidence comments and free-text answers of the audits in scope.

Same period, scope and filters as the report page (its query parameters), plus
``question``, ``rating``, ``q`` (search) and ``page``. With ``report=<id>`` it is
in "pin mode" for that draft: the period and scope are the report's, and each
comment has a "Pin to this report" button. Every page read is recorded in the
audit trail: the comments are personal data.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from flask import Blueprint, abort, render_template, request
from flask_login import current_user
from werkzeug.datastructures import MultiDict

from core import trail
from core.access import Permission, requires
from core.committee import drafts, requests
from core.extensions import db
from core.inputs import whole_number
from core.models import CommitteeReport, Rating
from core.models.audits import RATING_LABELS
from core.reports import narrative
from core.reports.content import available_sections, resolve, tool_title
from core.reports.scopes import scopes_for

bp = Blueprint("narrative", __name__, url_prefix="/reports/narrative")

#: Query parameters of the page's own filters, kept apart from the report's.
FILTER_NAMES = ("question", "rating", "q")


def service_for_forms(service_ids: tuple[int, ...]) -> int | None:
    """The service whose settings shape the forms: the scope's, if it is one service."""
    return service_ids[0] if len(service_ids) == 1 else None


#: The standard filter's value for every standard at once.
ALL_STANDARDS = "all"


def read_filters(
    args: MultiDict[str, str], questions: list[narrative.NarrativeQuestion]
) -> tuple[narrative.NarrativeFilters, dict[str, str]]:
    """The page's own filters; a wrong one is reported and dropped, the rest kept."""
    errors: dict[str, str] = {}
    # The page opens on the first standard: its first page is what "all standards" would
    # show first anyway (form order), and counting every comment of a council-wide
    # quarter takes seconds at a million audits. "all" asks for every standard, and so
    # does a search or a rating chosen without a standard.
    question = args.get("question")
    if question is None and not (args.get("q") or args.get("rating")):
        question = questions[0].ref if questions else ""
    elif question is None:
        question = ""  # a search or a rating looks across every standard
    elif question == ALL_STANDARDS:
        question = ""
    if question and question not in {q.ref for q in questions}:
        errors["question"] = "Choose a standard from the list"
        question = ""
    rating = args.get("rating", "")
    if rating and rating not in {r.value for r in Rating}:
        errors["rating"] = "Choose a rating from the list"
        rating = ""
    search = args.get("q", "").strip()
    if len(search) > narrative.SEARCH_LENGTH:
        errors["q"] = f"Search for {narrative.SEARCH_LENGTH} characters or fewer"
        search = ""
    page = max(1, whole_number(args.get("page")) or 1)
    return narrative.NarrativeFilters(question, rating, search, page), errors


def pin_report(report_id: str) -> CommitteeReport:
    """The draft a pin-mode page pins into; 404 unless the user may use it."""
    number = whole_number(report_id)
    if number is None:
        abort(404)
    report = db.session.get(CommitteeReport, number)
    if report is None or not drafts.may_use(report, current_user):
        abort(404)
    return report


def safe_back(back: str, default: str) -> str:
    """A return address on this page only (never another site)."""
    parts = urlsplit(back)
    if parts.scheme or parts.netloc or not parts.path.startswith(bp.url_prefix or "/"):
        return default
    return back


@bp.route("/")
@requires(Permission.VIEW_EVIDENCE_COMMENTS)
def page() -> Any:
    scopes = scopes_for(current_user)
    if not scopes:
        abort(403)
    report = None
    errors: dict[str, str] = {}
    if request.args.get("report"):
        report = pin_report(request.args["report"])
        wanted = requests.of_report(report, with_content=False)
    else:
        wanted, errors = requests.read(request.args, current_user)
    try:
        resolved = resolve(wanted, current_user)
    except ValueError as error:
        if report is not None:
            abort(404)  # the draft's scope is no longer the user's
        errors.setdefault("scope", str(error))
        wanted = requests.ReportRequest(period="last-12-months", scope=scopes[0].key)
        resolved = resolve(wanted, current_user)
    service_id = service_for_forms(resolved.scope.service_ids)
    questions = narrative.questions_for(resolved.tools, service_id)
    filters, filter_errors = read_filters(request.args, questions)
    errors.update(filter_errors)
    result = narrative.comments(resolved.base, resolved.tools, current_user, filters, service_id)

    described = [f"{resolved.scope.label}, {resolved.period.label}"]
    if filters.question:
        described.append(next(q.label for q in questions if q.ref == filters.question))
    if filters.rating:
        described.append(f"rated {RATING_LABELS[Rating(filters.rating)]}")
    if filters.search:
        described.append(f"searching “{filters.search}”")
    trail.record_view(
        "reports.narrative_viewed",
        report,
        summary=f"Read evidence comments ({'; '.join(described)}): "
        f"page {result.page} of {result.pages}, {len(result.comments)} of {result.total}",
    )

    sections: list[tuple[str, str]] = []
    target = request.args.get("section", "")
    if report is not None and not report.is_issued:
        sections = available_sections(wanted, current_user)
        if target not in dict(sections):
            target = ""
    report_params = {"report": report.id} if report is not None else requests.query(wanted)
    filter_params = {
        name: value
        for name, value in (
            ("question", filters.question or ALL_STANDARDS),
            ("rating", filters.rating),
            ("q", filters.search),
        )
        if value
    }
    if target:
        filter_params["section"] = target
    page_html = render_template(
        "committee/narrative.html",
        resolved=resolved,
        result=result,
        filters=filters,
        typed_search=request.args.get("q", ""),
        errors=errors,
        report=report,
        sections=sections,
        target=target,
        report_params=report_params,
        params={**report_params, **filter_params},
        ratings=[r for r in Rating],
        pinned={(p.answer_id, p.part) for p in report.pins} if report is not None else set(),
        default_section=default_section,
        tool_titles={slug: tool_title(slug) for slug in resolved.tools},
        back=request.full_path,
    )
    return (page_html, 400) if errors else page_html


def default_section(comment: narrative.Comment, sections: list[tuple[str, str]]) -> str:
    """Where a comment is pinned unless the lead chose a section: its tool's results."""
    keys = [key for key, _ in sections]
    wanted = f"results-{comment.tool}"
    return wanted if wanted in keys else (keys[0] if keys else "")
