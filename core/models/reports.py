"""Counts pre-aggregated for reports: the tally of submitted audits.

Reports used to count the ``answer`` table on every page; at a million audits that
took seconds. ``report_tally`` keeps the same counts, added up as each audit is
submitted (``core.reports.summary``), so a report reads a few thousand rows
instead of millions. It is derived data: ``careaudit reports rebuild`` recounts it
exactly from ``audit`` and ``answer``.

One row counts the submitted audits (or their answers) of one tool in one month
that share a team, service, kind of audit and case category, for one *measure*:

``axis``      ``measure``     ``value``                   ``n`` counts
``audit``     ``''``          ``''``                      audits
``rating``    ``''``          the overall rating          audits with that overall rating
``grade``     ``''``          the grade                   audits with that grade
``answer``    question key    the question's rating       answers rated so (N/A included)
``value``     question key    a choice's code, a number   answers with that value

Every row exists at three grains, so every report scope reads one contiguous,
small range of the primary key:

- a team: ``team_id`` is the team (``NO_TEAM``, 0, for audits without a team);
- a service: ``team_id`` is ``ALL_TEAMS`` (-1), ``service_id`` the service;
- the whole council: ``team_id`` is ``ALL_TEAMS`` and ``service_id`` ``ALL_SERVICES`` (0).

Never add up rows of different grains: each grain alone counts every audit once.
Sentinels instead of NULLs because the primary key (and so the upsert's conflict
target) cannot hold NULLs, and NULLs would never conflict.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from sqlalchemy import Connection, Index, String, event, select
from sqlalchemy.orm import Mapped, mapped_column

from core.extensions import db
from core.models._types import enum_column
from core.models.audits import Audit, AuditKind
from core.models.cases import Case

#: ``team_id`` of an audit that has no team (e.g. a supervision audit of a service manager).
NO_TEAM = 0
#: ``team_id`` of the service and council grains: every team (and none) together.
ALL_TEAMS = -1
#: ``service_id`` of the council grain: every service together.
ALL_SERVICES = 0
#: ``category`` of an audit without a case category (staff and sample audits).
NO_CATEGORY = ""


class TallyAxis(StrEnum):
    """What a tally row counts (see the module's table)."""

    AUDIT = "audit"
    RATING = "rating"
    GRADE = "grade"
    ANSWER = "answer"
    VALUE = "value"


class ReportTally(db.Model):
    """Submitted audits (or their answers) counted by month, place, kind, category, measure."""

    __tablename__ = "report_tally"
    __table_args__ = (
        # A team's months: the key puts the service between team and month (a team's
        # rows carry its service), so without this a team's report read every month
        # the team has ever had to find the one it shows.
        Index("ix_report_tally_team_month", "tool", "team_id", "month"),
    )

    # Primary key order is the reading order: tool, then the grain and place (a
    # team, a service, or the council), then a range of months.
    tool: Mapped[str] = mapped_column(String(60), primary_key=True)
    team_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    service_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    #: The first day of the audit date's month.
    month: Mapped[date] = mapped_column(primary_key=True)
    kind: Mapped[AuditKind] = mapped_column(enum_column(AuditKind), primary_key=True)
    #: The case category as at the audit (``Audit.category``), or ``NO_CATEGORY``.
    category: Mapped[str] = mapped_column(String(40), primary_key=True)
    axis: Mapped[TallyAxis] = mapped_column(enum_column(TallyAxis), primary_key=True)
    #: The question key for ``answer`` and ``value`` rows; empty otherwise.
    measure: Mapped[str] = mapped_column(String(60), primary_key=True)
    #: The rating, overall rating, grade or value counted; empty for ``audit`` rows.
    value: Mapped[str] = mapped_column(String(60), primary_key=True)
    n: Mapped[int] = mapped_column(default=0)

    def __repr__(self) -> str:
        return (
            f"<ReportTally {self.tool} team={self.team_id} service={self.service_id} "
            f"{self.month:%Y-%m} {self.kind.value} {self.axis.value} "
            f"{self.measure}={self.value} n={self.n}>"
        )


class ReportTallyVersion(db.Model):
    """One row whose token changes in every transaction that changes the tally.

    Report reads are kept across requests under the token they were read at
    (``core.tools.reporting``): a new token, committed with the new counts, makes every
    process read afresh. A random token rather than a counter, so that emptying the
    table (tests, ``demo --reset``) can never bring an old token back.
    """

    __tablename__ = "report_tally_version"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    token: Mapped[str] = mapped_column(String(32))


@event.listens_for(Audit, "before_insert")
def _category_as_at_the_audit(_mapper: object, connection: Connection, audit: Audit) -> None:
    """Every audit of a case starts with the case's category, however it is inserted.

    ``core.audits.workflow`` sets it when an audit starts and again on submission;
    this catches audits made directly (the demo, imports of past audits), so a
    category filter never misses an audit only because of how it was created.
    """
    if audit.category is not None:
        return
    case = audit.__dict__.get("case")
    if case is not None:
        audit.category = case.category or None
    elif audit.case_id is not None:
        audit.category = (
            connection.scalar(select(Case.category).where(Case.id == audit.case_id)) or None
        )
