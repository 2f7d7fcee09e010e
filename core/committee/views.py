"""Committee report pages: build from the report page, list, edit a draft, issue, export.

Every route needs ``BUILD_COMMITTEE_REPORTS``; a report is shown only to leads
whose scopes include its own (404 otherwise, so ids cannot be probed). An
issued report refuses every change with a message saying to start a new version.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from core import jobs, trail
from core.access import Permission, requires
from core.committee import drafts, exports, requests
from core.committee.narrative_page import safe_back
from core.extensions import db
from core.inputs import whole_number
from core.models import CommitteeExport, CommitteeReport, Job, JobStatus, PinnedComment
from core.reports import narrative
from core.reports.content import available_sections
from core.reports.scopes import scopes_for

bp = Blueprint("committee", __name__, url_prefix="/committee")


def _report_or_404(report_id: int, *, lock: bool = False) -> CommitteeReport:
    report = db.session.get(CommitteeReport, report_id, with_for_update=lock or None)
    if report is None or not drafts.may_use(report, current_user):
        abort(404)
    return report


def _refused(report: CommitteeReport, message: str) -> tuple[str, int]:
    """The page an issued report answers a change with: what happened and what to do."""
    return (
        render_template("committee/refused.html", report=report, message=message),
        409,
    )


# -- building a report from the report page ----------------------------------------------


@bp.route("/", methods=["POST"])
@requires(Permission.BUILD_COMMITTEE_REPORTS)
def create() -> Any:
    """From the report page's "Build a committee report" button: its current parameters
    (``period`` or ``period=range`` with ``from``/``to``, ``scope``, ``kind`` (repeated),
    ``category``, ``tool``, ``unit``, ``length``) and an optional ``title``."""
    wanted, errors = requests.read(request.form, current_user)
    title = request.form.get("title", "").strip()
    if len(title) > drafts.TITLE_LENGTH:
        errors["title"] = f"Enter a title of {drafts.TITLE_LENGTH} characters or fewer"
    if errors:
        return (
            render_template(
                "committee/not_built.html",
                errors=errors,
                back=url_for("reports.report", **requests.query(wanted)),
            ),
            400,
        )
    try:
        report = drafts.create(wanted, current_user, title)
    except ValueError as error:  # a period or scope the user may not use
        db.session.rollback()
        return (
            render_template(
                "committee/not_built.html",
                errors={"scope": str(error)},
                back=url_for("reports.report"),
            ),
            400,
        )
    db.session.commit()
    flash("Draft committee report saved. Choose its sections and write the narrative.")
    return redirect(url_for("committee.show", report_id=report.id))


# -- the list -----------------------------------------------------------------------------


@bp.route("/")
@requires(Permission.BUILD_COMMITTEE_REPORTS)
def index() -> str:
    keys = [scope.key for scope in scopes_for(current_user)]
    reports = db.session.scalars(
        select(CommitteeReport)
        .where(CommitteeReport.scope_key.in_(keys))
        .order_by(CommitteeReport.series_id.desc(), CommitteeReport.version.desc())
    ).all()
    series: dict[int, list[CommitteeReport]] = defaultdict(list)
    for report in reports:
        series[report.series_id or report.id].append(report)
    return render_template("committee/index.html", series=list(series.values()))


# -- one report -----------------------------------------------------------------------------


def _edit_page(
    report: CommitteeReport,
    *,
    errors: dict[str, str] | None = None,
    typed: dict[str, Any] | None = None,
    status: int = 200,
) -> tuple[str, int]:
    try:
        sections = available_sections(requests.of_report(report), current_user)
    except ValueError:
        abort(404)  # the report's scope is no longer one the user may report on
    chosen = set(report.sections or [key for key, _ in sections])
    values = typed or {
        "title": report.title,
        "sections": chosen,
        "narratives": dict(report.narratives or {}),
    }
    pins: dict[str, list[PinnedComment]] = defaultdict(list)
    for pin in report.pins:
        pins[pin.section_key].append(pin)
    recent = db.session.scalars(
        select(CommitteeExport)
        .where(CommitteeExport.report_id == report.id)
        .order_by(CommitteeExport.id.desc())
        .limit(10)
    ).all()
    return (
        render_template(
            "committee/show.html",
            report=report,
            sections=sections,
            headings=dict(sections),
            values=values,
            errors=errors or {},
            pins=pins,
            formats=exports.FORMATS.values(),
            recent_exports=recent,
            versions=_versions(report),
        ),
        status,
    )


def _versions(report: CommitteeReport) -> list[CommitteeReport]:
    return list(
        db.session.scalars(
            select(CommitteeReport)
            .where(CommitteeReport.series_id == (report.series_id or report.id))
            .order_by(CommitteeReport.version.desc())
        )
    )


@bp.route("/<int:report_id>")
@requires(Permission.BUILD_COMMITTEE_REPORTS)
def show(report_id: int) -> tuple[str, int]:
    report = _report_or_404(report_id)
    _record_read(report)
    return _edit_page(report)


def _record_read(report: CommitteeReport) -> None:
    """Pinned comments are auditors' words about a case: reading them is recorded."""
    if report.pins:
        trail.record_view(
            "committee.viewed",
            report,
            summary=f"Read committee report {report.id} (version {report.version}) "
            f"with {len(report.pins)} pinned comments",
        )


@bp.route("/<int:report_id>", methods=["POST"])
@requires(Permission.BUILD_COMMITTEE_REPORTS)
def save(report_id: int) -> Any:
    report = _report_or_404(report_id, lock=True)
    if report.is_issued:
        return _refused(report, str(drafts.ReportIssued(report)))
    sections = available_sections(requests.of_report(report), current_user)
    keys = [key for key, _ in sections]
    title = request.form.get("title", "").strip()
    chosen = [key for key in request.form.getlist("sections") if key in keys]
    narratives = {key: request.form.get(f"narrative-{key}", "") for key in keys}
    errors: dict[str, str] = {}
    if not title:
        errors["title"] = "Enter a title for the report"
    elif len(title) > drafts.TITLE_LENGTH:
        errors["title"] = f"Enter a title of {drafts.TITLE_LENGTH} characters or fewer"
    if not chosen:
        errors["sections"] = "Choose at least one section"
    for key, text in narratives.items():
        if len(text) > drafts.NARRATIVE_LENGTH:
            errors[f"narrative-{key}"] = (
                f"The narrative for “{dict(sections)[key]}” must be "
                f"{drafts.NARRATIVE_LENGTH:,} characters or fewer"
            )
    if errors:
        typed = {"title": title, "sections": set(chosen), "narratives": narratives}
        return _edit_page(report, errors=errors, typed=typed, status=400)
    # All sections chosen is stored as "all", so sections a report gains later are kept.
    drafts.save(
        report,
        title=title,
        sections=[] if chosen == keys else chosen,
        narratives=narratives,
    )
    db.session.commit()
    flash("Draft saved.")
    return redirect(url_for("committee.show", report_id=report.id))


@bp.route("/<int:report_id>/preview")
@requires(Permission.BUILD_COMMITTEE_REPORTS)
def preview(report_id: int) -> str:
    report = _report_or_404(report_id)
    if report.is_issued:
        db.session.refresh(report, ["document"])
    try:
        document = drafts.document(report, current_user)
    except ValueError:
        abort(404)
    _record_read(report)
    return render_template("committee/preview.html", report=report, document=document)


# -- pins -----------------------------------------------------------------------------------


@bp.route("/<int:report_id>/pins", methods=["POST"])
@requires(Permission.BUILD_COMMITTEE_REPORTS)
def pin(report_id: int) -> Any:
    """Pin a comment from the narrative page (``answer``, ``section``, ``back``)."""
    report = _report_or_404(report_id, lock=True)
    back = safe_back(request.form.get("back", ""), url_for("narrative.page", report=report.id))
    if report.is_issued:
        return _refused(report, str(drafts.ReportIssued(report)))
    resolved = requests.resolved(report, current_user)
    sections = dict(available_sections(requests.of_report(report), current_user))
    section = request.form.get("section", "")
    answer = request.form.get("answer", "")
    found = None
    number = whole_number(answer)
    if number is not None:
        service_ids = resolved.scope.service_ids
        found = narrative.comment(
            number,
            resolved.base,
            resolved.tools,
            current_user,
            service_ids[0] if len(service_ids) == 1 else None,
        )
    if found is None or section not in sections:
        flash("That comment cannot be pinned to this report: it is not in the report’s scope.")
        return redirect(back)
    if drafts.pin(report, section, found, current_user):
        flash(f"Pinned to “{sections[section]}”: {found.source}.")
    else:
        flash(f"That comment is already pinned to “{sections[section]}”.")
    db.session.commit()
    return redirect(back)


@bp.route("/<int:report_id>/pins/<int:pin_id>/remove", methods=["POST"])
@requires(Permission.BUILD_COMMITTEE_REPORTS)
def unpin(report_id: int, pin_id: int) -> Any:
    report = _report_or_404(report_id, lock=True)
    if report.is_issued:
        return _refused(report, str(drafts.ReportIssued(report)))
    pinned = next((p for p in report.pins if p.id == pin_id), None)
    if pinned is not None:
        drafts.unpin(report, pinned)
        db.session.commit()
        flash("Comment unpinned.")
    return redirect(url_for("committee.show", report_id=report.id) + "#pins")


# -- issue and new version --------------------------------------------------------------------


@bp.route("/<int:report_id>/issue", methods=["GET", "POST"])
@requires(Permission.BUILD_COMMITTEE_REPORTS)
def issue(report_id: int) -> Any:
    """A confirmation page; POST with ``confirm=yes`` issues the draft."""
    report = _report_or_404(report_id, lock=request.method == "POST")
    if report.is_issued:
        if request.method == "POST":
            return _refused(report, str(drafts.ReportIssued(report)))
        return redirect(url_for("committee.show", report_id=report.id))
    errors: dict[str, str] = {}
    if request.method == "POST":
        if request.form.get("confirm") != "yes":
            errors["confirm"] = "Confirm that the report is ready to issue"
        else:
            try:
                issued = drafts.issue(report, current_user)
            except ValueError:
                db.session.rollback()
                abort(404)
            if not issued:
                db.session.rollback()
                db.session.refresh(report)
                return _refused(report, str(drafts.ReportIssued(report)))
            db.session.commit()
            flash(f"Version {report.version} issued. It can no longer change.")
            return redirect(url_for("committee.show", report_id=report.id))
    return (
        render_template("committee/issue.html", report=report, errors=errors),
        400 if errors else 200,
    )


@bp.route("/<int:report_id>/new-version", methods=["POST"])
@requires(Permission.BUILD_COMMITTEE_REPORTS)
def new_version(report_id: int) -> Any:
    report = _report_or_404(report_id)
    if not report.is_issued:
        flash("This version is a draft: change it here rather than starting a new version.")
        return redirect(url_for("committee.show", report_id=report.id))
    try:
        draft = drafts.new_version(report, current_user)
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        flash("Someone started a new version at the same moment: it is listed below.")
        return redirect(url_for("committee.index"))
    flash(f"Version {draft.version} started as a draft, copied from version {report.version}.")
    return redirect(url_for("committee.show", report_id=draft.id))


# -- exports -----------------------------------------------------------------------------------


@bp.route("/<int:report_id>/exports", methods=["POST"])
@requires(Permission.BUILD_COMMITTEE_REPORTS)
def export(report_id: int) -> Any:
    """Start an export (``format``: pdf, docx, xlsx or csv) and show its progress."""
    report = _report_or_404(report_id)
    export_format = exports.FORMATS.get(request.form.get("format", ""))
    if export_format is None:
        flash("Choose PDF, Word, Excel or CSV.")
        return redirect(url_for("committee.show", report_id=report.id) + "#exports")
    made = exports.start(report, export_format, current_user)
    return redirect(url_for("committee.export_status", export_id=made.id))


def _export_or_404(export_id: int) -> CommitteeExport:
    made = db.session.get(CommitteeExport, export_id)
    if made is None or made.created_by_id != current_user.id:
        # A file is its maker's: another lead exports the report for themselves.
        abort(404)
    if not drafts.may_use(made.report, current_user):
        abort(404)
    return made


@bp.route("/exports/<int:export_id>")
@requires(Permission.BUILD_COMMITTEE_REPORTS)
def export_status(export_id: int) -> str:
    made = _export_or_404(export_id)
    jobs.fail_stale_jobs()
    job = db.session.get(Job, made.job_id) if made.job_id else None
    ready = made.size is not None
    working = not ready and job is not None and job.status in (JobStatus.QUEUED, JobStatus.RUNNING)
    return render_template(
        "committee/export.html",
        export=made,
        report=made.report,
        job=job,
        ready=ready,
        working=working,
        export_format=exports.FORMATS[made.format],
    )


@bp.route("/exports/<int:export_id>/download")
@requires(Permission.BUILD_COMMITTEE_REPORTS)
def download(export_id: int) -> Response:
    made = _export_or_404(export_id)
    content = db.session.scalar(
        select(CommitteeExport.content).where(CommitteeExport.id == made.id)
    )
    if content is None:
        return redirect(url_for("committee.export_status", export_id=made.id))  # type: ignore[return-value]
    exports.record_download(made)
    export_format = exports.FORMATS[made.format]
    return Response(
        content,
        content_type=export_format.content_type,
        headers={"Content-Disposition": f'attachment; filename="{made.filename}"'},
    )
