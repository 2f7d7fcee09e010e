"""The history of an audit: what happened to it, who did it and when.

Read from the audit trail, so it is the same record the administrators search,
and any follow-up work shows here without this module knowing about it: every
step about an audit is recorded with the audit as the trail's object
(``trail.record("feedback.acknowledged", audit, ...)``), so its entries are those
with ``object_type == "audit"`` and ``object_id == str(audit.id)``. Views of the
audit are left out: who looked is for the trail's own pages, not the history.

Audits made before the trail was kept (and the demo's, which are written straight
to the tables) have no entry for their start or submission; those two steps are
then taken from the audit's own dates, and marked as such.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import select, text

from core.audits import panels
from core.extensions import db
from core.models import Audit, TrailEntry, User
from core.models.trail import NOT_A_VIEW

#: Plain words for the audit's own steps (their trail summaries name the audit's id
#: and tool, which the page already shows).
ACTION_LABELS = {
    "audit.created": "Started the audit",
    "audit.saved": "Saved the audit as a draft",
    "audit.submitted": "Submitted the audit",
}

try:
    LOCAL = ZoneInfo("Europe/London")
except ZoneInfoNotFoundError:  # no time zone data on this server: show UTC, and say so
    LOCAL = None


@dataclass(frozen=True)
class Step:
    """One line of an audit's history."""

    at: datetime  # UTC, naive, as stored
    who: str
    what: str
    action: str
    #: How many times in a row (saves of a draft are shown once, with a count).
    times: int = 1
    #: Taken from the audit's own dates rather than the trail.
    from_record: bool = False

    @property
    def when(self) -> str:
        """The time in the UK, GOV.UK style: 2 December 2026, 3:05pm."""
        return local_time(self.at, with_date=True)


def local_time(at: datetime, with_date: bool = False) -> str:
    """A stored (naive UTC) moment as UK time, GOV.UK style: "3:05pm", or with the date
    first: "2 December 2026, 3:05pm"."""
    moment = at.replace(tzinfo=UTC)
    suffix = ""
    if LOCAL is not None:
        moment = moment.astimezone(LOCAL)
    else:
        suffix = " UTC"
    hour = moment.hour % 12 or 12
    clock = f"{hour}:{moment:%M}{'am' if moment.hour < 12 else 'pm'}{suffix}"
    return f"{moment.day} {moment:%B %Y}, {clock}" if with_date else clock


def _name(actor_label: str) -> str:
    """The name from a trail label ("Name <email>"), or the label (a command)."""
    name, _, rest = actor_label.partition(" <")
    return name if rest.endswith(">") and name else actor_label


def audit_history(audit: Audit) -> list[Step]:
    """The audit's history, oldest first."""
    entries = db.session.scalars(
        select(TrailEntry)
        .where(
            TrailEntry.object_type == "audit",
            TrailEntry.object_id == str(audit.id),
            # Looking at an audit changes nothing. Written as the index of steps has it,
            # so the views (most entries of an often-read audit) are never read.
            text(NOT_A_VIEW),
        )
        .order_by(TrailEntry.at, TrailEntry.id)
    ).all()
    steps: list[Step] = []
    for entry in entries:
        who = _name(entry.actor_label)
        previous = steps[-1] if steps else None
        if (
            entry.action == "audit.saved"
            and previous is not None
            and previous.action == "audit.saved"
            and previous.who == who
        ):
            # A long draft is saved many times: one line, the latest time, a count.
            steps[-1] = Step(entry.at, who, previous.what, entry.action, previous.times + 1)
            continue
        what = ACTION_LABELS.get(entry.action) or entry.summary or entry.action
        steps.append(Step(entry.at, who, what, entry.action))
    return _with_record_dates(audit, steps)


def _with_record_dates(audit: Audit, steps: list[Step]) -> list[Step]:
    """Add the start and submission from the audit's dates where the trail has none."""
    actions = {step.action for step in steps}
    auditor = audit.auditor.name if audit.auditor is not None else ""
    missing = []
    if "audit.created" not in actions:
        missing.append(
            Step(
                audit.created_at, auditor, ACTION_LABELS["audit.created"], "audit.created", 1, True
            )
        )
    if audit.is_submitted and audit.submitted_at and "audit.submitted" not in actions:
        missing.append(
            Step(
                audit.submitted_at,
                auditor,
                ACTION_LABELS["audit.submitted"],
                "audit.submitted",
                1,
                True,
            )
        )
    if not missing:
        return steps
    return sorted([*missing, *steps], key=lambda step: step.at)


@panels.audit_panel(order=90)
def _history_panel(audit: Audit, user: User) -> panels.Panel:
    return panels.Panel("history/_panel.html", {"steps": audit_history(audit)})
