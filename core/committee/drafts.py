"""A committee report's life: draft, edits, pins, issue, new version.

Every change is recorded in the audit trail in the same transaction. An issued
report is frozen: its document is stored as JSON when it is issued, and every
function here that would change it raises :class:`ReportIssued` instead. A
change after issue is a new version, a draft copied from the issued one.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date

from sqlalchemy import func, select, update

from core import trail
from core.access import Permission, has_permission
from core.committee import requests
from core.exports.document import Document
from core.extensions import db
from core.models import CommitteeReport, CommitteeReportStatus, PinnedComment, User
from core.models._types import utcnow
from core.reports.content import ReportRequest, build_document
from core.reports.narrative import Comment
from core.reports.scopes import scopes_for

TITLE_LENGTH = 200
#: An officer's narrative per section; a committee paper's section is rarely a page.
NARRATIVE_LENGTH = 20_000


class ReportIssued(Exception):
    """The report is issued: it never changes. The message says what to do instead."""

    def __init__(self, report: CommitteeReport) -> None:
        super().__init__(
            f"Version {report.version} of this report was issued on "
            f"{report.issued_on:%-d %B %Y} and cannot be changed. "
            "Start a new version to make changes."
        )


def default_title(request: ReportRequest, user: User) -> str:
    """ "Audit report: Children in Need, Q3 2026 to 2027 (...)"."""
    resolved = requests.resolve(request, user)
    return f"Audit report: {resolved.scope.label}, {resolved.period.label}"[:TITLE_LENGTH]


def may_use(report: CommitteeReport, user: User) -> bool:
    """Leads whose scopes include the report's may open, edit, issue and export it."""
    if not has_permission(user, Permission.BUILD_COMMITTEE_REPORTS):
        return False
    return any(scope.key == report.scope_key for scope in scopes_for(user))


def _refuse_if_issued(report: CommitteeReport) -> None:
    if report.is_issued:
        raise ReportIssued(report)


def _request_fields(request: ReportRequest) -> dict[str, object]:
    return {
        "period_key": request.period,
        "scope_key": request.scope,
        "kinds": list(request.kinds),
        "categories": list(request.categories),
        "tools": list(request.tools),
        "sections": list(request.sections),
        "trend_unit": request.trend_unit,
        "trend_length": request.trend_length,
    }


def create(request: ReportRequest, user: User, title: str = "") -> CommitteeReport:
    """A new draft (version 1 of a new series) for ``request``; ``ValueError`` if the user
    may not report on its period or scope."""
    title = title.strip()[:TITLE_LENGTH] or default_title(request, user)
    report = CommitteeReport(
        title=title,
        status=CommitteeReportStatus.DRAFT,
        version=1,
        narratives={},
        created_by_id=user.id,
        **_request_fields(request),
    )
    db.session.add(report)
    db.session.flush()
    report.series_id = report.id
    trail.record(
        "committee.created",
        report,
        summary=f"Started committee report {report.id}: {report.title}",
        after={"title": report.title, **_request_fields(request)},
    )
    return report


def save(
    report: CommitteeReport,
    *,
    title: str,
    sections: Sequence[str],
    narratives: Mapping[str, str],
) -> None:
    """Change a draft's title, sections and officer's narratives."""
    _refuse_if_issued(report)
    before = trail.snapshot(report, "title", "sections", "narratives")
    report.title = title.strip()[:TITLE_LENGTH]
    report.sections = list(sections)
    report.narratives = {k: v.strip() for k, v in narratives.items() if v.strip()}
    report.updated_at = utcnow()
    was, now = trail.changes(before, trail.snapshot(report, "title", "sections", "narratives"))
    if now:
        trail.record(
            "committee.changed",
            report,
            summary=f"Changed committee report {report.id}: {', '.join(now)}",
            before=was,
            after=now,
        )


def pin(report: CommitteeReport, section_key: str, comment: Comment, user: User) -> bool:
    """Pin a copy of ``comment`` into a section; False if it is pinned there already."""
    _refuse_if_issued(report)
    already = db.session.scalar(
        select(PinnedComment.id).where(
            PinnedComment.report_id == report.id,
            PinnedComment.section_key == section_key,
            PinnedComment.answer_id == comment.answer_id,
            PinnedComment.part == comment.part,
        )
    )
    if already is not None:
        return False
    pinned = PinnedComment(
        report=report,
        section_key=section_key,
        answer_id=comment.answer_id,
        part=comment.part,
        text=comment.text,
        source=comment.source[:300],
        pinned_by_id=user.id,
    )
    db.session.add(pinned)
    report.updated_at = utcnow()
    trail.record(
        "committee.pinned",
        report,
        summary=f"Pinned a comment ({comment.source}) into committee report {report.id}",
        after={"section": section_key, "answer_id": comment.answer_id, "part": comment.part},
    )
    return True


def unpin(report: CommitteeReport, pinned: PinnedComment) -> None:
    _refuse_if_issued(report)
    trail.record(
        "committee.unpinned",
        report,
        summary=f"Unpinned a comment ({pinned.source}) from committee report {report.id}",
        before={"section": pinned.section_key, "answer_id": pinned.answer_id},
    )
    report.pins.remove(pinned)
    report.updated_at = utcnow()


def live_document(report: CommitteeReport, user: User) -> Document:
    """The report built from today's figures (a draft's document; ``ValueError`` if the
    user may no longer report on its scope)."""
    return build_document(requests.of_report(report), user, report.title)


def document(report: CommitteeReport, user: User) -> Document:
    """What the report says: frozen once issued, else built now (marked draft)."""
    if report.is_issued and report.document is not None:
        return Document.from_json(report.document)
    return live_document(report, user)


def issue(report: CommitteeReport, user: User, today: date | None = None) -> bool:
    """Freeze the draft: build its document, store it, mark it issued with today's date.

    False if it was issued meanwhile (a second click, another lead): the claim is
    one conditional UPDATE, so only one request issues it.
    """
    today = today or date.today()
    doc = live_document(report, user)
    doc.status = CommitteeReportStatus.ISSUED.value
    doc.version = report.version
    doc.issued_on = today.isoformat()
    claimed = db.session.execute(
        update(CommitteeReport)
        .where(
            CommitteeReport.id == report.id,
            CommitteeReport.status == CommitteeReportStatus.DRAFT,
        )
        .values(
            status=CommitteeReportStatus.ISSUED,
            document=doc.to_json(),
            issued_on=today,
            issued_by_id=user.id,
            updated_at=utcnow(),
        )
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:  # type: ignore[attr-defined]
        return False
    db.session.expire(report)
    trail.record(
        "committee.issued",
        report,
        summary=f"Issued version {report.version} of committee report {report.id}: {report.title}",
        after={"status": "issued", "version": report.version, "issued_on": today.isoformat()},
    )
    return True


def new_version(report: CommitteeReport, user: User) -> CommitteeReport:
    """A draft copied from an issued report, as the series' next version.

    Only an issued report starts a new version; ``(series, version)`` is unique, so
    two leads doing it at once cannot both make the same version (the second fails
    with an ``IntegrityError`` the page turns into a message).
    """
    if not report.is_issued:
        raise ValueError("Only an issued report starts a new version: edit this draft instead")
    series = report.series_id or report.id
    latest = db.session.scalar(
        select(func.max(CommitteeReport.version)).where(CommitteeReport.series_id == series)
    )
    draft = CommitteeReport(
        series_id=series,
        version=int(latest or report.version) + 1,
        title=report.title,
        status=CommitteeReportStatus.DRAFT,
        period_key=report.period_key,
        scope_key=report.scope_key,
        kinds=list(report.kinds or ()),
        categories=list(report.categories or ()),
        tools=list(report.tools or ()),
        sections=list(report.sections or ()),
        trend_unit=report.trend_unit,
        trend_length=report.trend_length,
        narratives=dict(report.narratives or {}),
        created_by_id=user.id,
    )
    draft.pins = [
        PinnedComment(
            section_key=p.section_key,
            answer_id=p.answer_id,
            part=p.part,
            text=p.text,
            source=p.source,
            pinned_by_id=p.pinned_by_id,
            pinned_at=p.pinned_at,
        )
        for p in report.pins
    ]
    db.session.add(draft)
    db.session.flush()
    trail.record(
        "committee.new_version",
        draft,
        summary=f"Started version {draft.version} of committee report {series} "
        f"from version {report.version}",
        after={"series": series, "version": draft.version, "from": report.id},
    )
    return draft
