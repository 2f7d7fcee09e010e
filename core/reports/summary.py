"""The tally: submitted audits' counts, kept up to date for reports.

``report_tally`` (``core.models.reports``) holds, per tool and month, team,
service, kind of audit and case category, how many audits were submitted, their
overall ratings and grades, how each question was rated, and the values of choice
and whole-number questions (never free text: see
``core.tools.reporting.tallied_questions``). Reports read it
instead of the answers (``core.tools.reporting``), which is what keeps a
council-wide report fast at a million audits.

It is kept in the submitting transaction: ``core.audits.workflow`` sends
``audit_submitted`` before its commit, and :func:`record` adds the audit's
counts with an upsert, so the tally and the audit commit or roll back together.
The upsert (``INSERT .. ON CONFLICT DO UPDATE SET n = n + excluded.n``) is
atomic in the database, so two audits submitted at once both count; rows are
written in primary key order so concurrent submissions lock them in the same
order and never deadlock.

Audits added already submitted (the demo, an import of past audits) are counted by
:func:`record_many` for the audits added, or by :func:`rebuild` (``careaudit
reports rebuild``), which recounts everything. A submitted audit that moves (its
date, kind, place, category or outcome changes) or is deleted through the ORM is
followed automatically (below). A submitted audit's answers never change; code
that changes them in SQL must run :func:`rebuild`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Insert,
    Select,
    and_,
    delete,
    event,
    func,
    inspect,
    literal_column,
    or_,
    select,
    text,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import ORMExecuteState, Session, SessionTransaction

from core import versions
from core.audits.workflow import audit_submitted
from core.extensions import db
from core.models import Answer, Audit, AuditStatus
from core.models.reports import (
    ALL_SERVICES,
    ALL_TEAMS,
    NO_TEAM,
    ReportTally,
    ReportTallyVersion,
    TallyAxis,
)
from core.tools.reporting import (
    TALLIED_VALUE_LENGTH,
    TALLY_CHANGED,
    Distribution,
    RatingRow,
    ReportScope,
    month_start,
    monthly_outcome_distributions,
    monthly_rating_tables,
    tallied_questions,
)

#: Audits per statement in :func:`record_many` (keeps ``IN (...)`` lists modest).
CHUNK = 5000

_KEY = ("tool", "team_id", "service_id", "month", "kind", "category", "axis", "measure", "value")


def _constant(value: int | str) -> ColumnElement[Any]:
    # Written into the SQL, not bound: PostgreSQL must see the same expression in
    # the SELECT and the GROUP BY, and an INSERT .. SELECT needs the column's type.
    return literal_column(repr(value) if isinstance(value, str) else str(value))


def _place(grain: str) -> tuple[list[ColumnElement[Any]], list[ColumnElement[Any]]]:
    """``team_id`` and ``service_id`` of a grain's rows, and which of them to group by."""
    if grain == "team":
        team = func.coalesce(Audit.team_id, _constant(NO_TEAM))
        return [team, Audit.service_id], [team, Audit.service_id]
    if grain == "service":
        return [_constant(ALL_TEAMS), Audit.service_id], [Audit.service_id]
    return [_constant(ALL_TEAMS), _constant(ALL_SERVICES)], []


def _counts(grain: str, axis: TallyAxis, ids: Sequence[int] | None) -> Select[Any] | None:
    """The tally rows of one grain and axis, counted from ``audit`` and ``answer``.

    ``ids``: only these audits (None: all). Answers are picked by their own
    ``audit_id`` too, so PostgreSQL looks each audit's answers up in their index
    instead of planning a scan of the whole answer table.
    """
    place, grouped = _place(grain)
    month = month_start(Audit.audit_date)
    category = func.coalesce(Audit.category, _constant(""))
    columns = [Audit.tool, *place, month, Audit.kind, category, _constant(axis.value)]
    group = [Audit.tool, *grouped, month, Audit.kind, category]
    submitted = [Audit.status == AuditStatus.SUBMITTED]
    answered: list[ColumnElement[bool]] = []
    if ids is not None:
        submitted.append(Audit.id.in_(ids))
        answered.append(Answer.audit_id.in_(ids))
    if axis is TallyAxis.AUDIT:
        statement = select(*columns, _constant(""), _constant(""), func.count(Audit.id))
        statement = statement.where(*submitted)
    elif axis in (TallyAxis.RATING, TallyAxis.GRADE):
        outcome = Audit.overall_rating if axis is TallyAxis.RATING else Audit.grade
        statement = select(*columns, _constant(""), outcome, func.count(Audit.id))
        statement = statement.where(*submitted, outcome.is_not(None))
        group.append(outcome)
    elif axis is TallyAxis.ANSWER:
        statement = select(*columns, Answer.question, Answer.rating, func.count(Answer.id))
        statement = statement.join(Answer, Answer.audit_id == Audit.id).where(
            *submitted, *answered, Answer.rating.is_not(None)
        )
        group += [Answer.question, Answer.rating]
    else:
        choices = tallied_questions()
        if not choices:
            return None
        statement = select(*columns, Answer.question, Answer.value, func.count(Answer.id))
        statement = statement.join(Answer, Answer.audit_id == Audit.id).where(
            *submitted,
            *answered,
            or_(
                *(
                    and_(Audit.tool == tool, Answer.question.in_(sorted(keys)))
                    for tool, keys in sorted(choices.items())
                )
            ),
            Answer.value.is_not(None),
            # Codes and numbers are short; anything longer was not one when stored.
            func.length(Answer.value) <= TALLIED_VALUE_LENGTH,
        )
        group += [Answer.question, Answer.value]
    # In primary key order, so concurrent upserts take their row locks in one order.
    in_key_order = [literal_column(str(position)) for position in range(1, len(_KEY) + 1)]
    return statement.group_by(*group).order_by(*in_key_order)


def _insert() -> Insert:
    dialect = postgresql if db.engine.dialect.name == "postgresql" else sqlite
    return dialect.insert(ReportTally)  # type: ignore[no-any-return]


def _upsert(select_rows: Select[Any], sign: int = 1) -> Any:
    """Counted rows added to the tally (``sign`` -1: taken off it)."""
    statement = _insert().from_select([*_KEY, "n"], select_rows)
    excluded = statement.excluded.n  # type: ignore[attr-defined]
    return statement.on_conflict_do_update(  # type: ignore[attr-defined]
        index_elements=list(_KEY),
        set_={"n": ReportTally.n + excluded if sign > 0 else ReportTally.n - excluded},
    )


def _all_counts(grain: str, ids: Sequence[int] | None) -> list[Select[Any]]:
    """Every axis's rows of one grain, in a fixed order (lock order, see the module)."""
    counts = (_counts(grain, axis, ids) for axis in TallyAxis)
    return [statement for statement in counts if statement is not None]


def record_many(audit_ids: Sequence[int]) -> None:
    """Add the counts of these audits (the submitted ones among them); no commit.

    Call it once per audit: counting an audit twice counts it twice.
    """
    ids = list(dict.fromkeys(audit_ids))
    db.session.flush()  # the audits' own changes first: the counts are read in SQL
    for offset in range(0, len(ids), CHUNK):
        chunk = ids[offset : offset + CHUNK]
        for grain in ("team", "service", "council"):
            for statement in _all_counts(grain, chunk):
                db.session.execute(_upsert(statement))


def record(audit: Audit) -> None:
    """Add one submitted audit's counts to the tally; no commit."""
    record_many([audit.id])


@audit_submitted.connect
def _on_submitted(audit: Audit, **extra: object) -> None:
    record(audit)


# -- submitted audits that change ---------------------------------------------------------
#
# A submitted audit is read-only in the app, but code may still move one (a themed
# audit's demo dates its audits after submitting them; tests backdate audits) or
# delete one. Whatever changes a counted field of an audit that was already
# submitted is followed here, in the same flush: its old counts are taken off
# before the UPDATE or DELETE, and its new counts added after it. Audits becoming
# submitted are not followed here: ``audit_submitted`` (or ``record_many``) counts them.

#: The audit's fields the tally counts by.
COUNTED = (
    "tool",
    "status",
    "audit_date",
    "kind",
    "service_id",
    "team_id",
    "category",
    "overall_rating",
    "grade",
)
_MOVED = "careaudit.tally.moved"


def _was_submitted(audit: Audit) -> bool:
    history = inspect(audit).attrs.status.history
    before = history.deleted[0] if history.deleted else audit.status
    return before in (AuditStatus.SUBMITTED, AuditStatus.SUBMITTED.value)


def _change(session: Session, audit_id: int, sign: int) -> None:
    # On the connection, which the session's do_orm_execute listener does not see.
    session.info[TALLY_CHANGED] = True
    connection = session.connection()
    for grain in ("team", "service", "council"):
        for statement in _all_counts(grain, [audit_id]):
            connection.execute(_upsert(statement, sign))


@event.listens_for(Session, "before_flush")
def _take_off_old_counts(session: Session, _context: object, _instances: object) -> None:
    moved: list[int] = []
    for audit in [*session.dirty, *session.deleted]:
        if not isinstance(audit, Audit) or audit.id is None or not _was_submitted(audit):
            continue
        state = inspect(audit)
        deleted = audit in session.deleted
        if deleted or any(state.attrs[name].history.has_changes() for name in COUNTED):
            _change(session, audit.id, -1)
            if not deleted:
                moved.append(audit.id)
    if moved:
        session.info.setdefault(_MOVED, []).extend(moved)


@event.listens_for(Session, "after_flush")
def _add_new_counts(session: Session, _context: object) -> None:
    for audit_id in session.info.pop(_MOVED, []):
        _change(session, audit_id, 1)


# -- the tally's version ----------------------------------------------------------------
#
# Reports keep what they read from the tally across requests, under the version token
# it was read at (``core.tools.reporting``). A transaction that changed the tally gives
# the token a new random value as it commits: the new counts and the new token become
# visible together, so no process can keep new counts under an old token or old counts
# under a new one. The token's row is written last, at commit, so concurrent
# submissions still take their locks in one order (tally rows, then this row).


#: Session ``info`` key: this transaction deleted the token itself.
_TOKEN_DELETED = "careaudit.tally.token_deleted"


@event.listens_for(Session, "do_orm_execute")
def _note_tally_written(state: ORMExecuteState) -> None:
    # Every write to the tally through a session (record_many, rebuild, and code that
    # deletes or inserts rows itself, as tests do) marks the transaction as changing it.
    # Deleting the token (emptying every table: tests, ``demo --reset``) leaves none
    # until the next count: with no token nothing is kept.
    if state.is_select:
        return
    name = getattr(getattr(state.statement, "table", None), "name", None)
    if name == ReportTallyVersion.__tablename__ and state.is_delete:
        state.session.info[_TOKEN_DELETED] = True
    elif name in (ReportTally.__tablename__, ReportTallyVersion.__tablename__):
        state.session.info[TALLY_CHANGED] = True


@event.listens_for(Session, "before_commit")
def _new_version(session: Session) -> None:
    session.flush()  # an audit moved in this last flush changes the tally too
    changed = session.info.pop(TALLY_CHANGED, False)
    if not changed:
        return
    if session.info.pop(_TOKEN_DELETED, False):
        versions.forget(versions.TALLY)
        return
    versions.renew(session, versions.TALLY)


@event.listens_for(Session, "after_transaction_end")
def _no_new_version(session: Session, transaction: SessionTransaction) -> None:
    # The whole transaction is over (a commit took the mark already, so this is a
    # rollback). A savepoint's end keeps the mark: one token too many does no harm.
    if transaction.parent is None:
        session.info.pop(TALLY_CHANGED, None)
        session.info.pop(_TOKEN_DELETED, None)


def rebuild() -> int:
    """Recount the whole tally from ``audit`` and ``answer``, in one transaction.

    Returns the number of submitted audits counted. Submissions wait for it on
    PostgreSQL (the table is locked) so none is counted twice or missed.
    """
    if db.engine.dialect.name == "postgresql":
        db.session.execute(text("LOCK TABLE report_tally IN EXCLUSIVE MODE"))
        # The team grain's GROUP BY sorts millions of rows at a million audits: in
        # memory rather than in 4 MB runs on disk (this transaction only).
        db.session.execute(text("SET LOCAL work_mem = '256MB'"))
    db.session.execute(delete(ReportTally))
    columns = [*_KEY, "n"]
    for statement in _all_counts("team", None):
        db.session.execute(ReportTally.__table__.insert().from_select(columns, statement))
    # The coarser grains add up the team grain's rows: the answers are read once.
    t = ReportTally
    measure = [t.month, t.kind, t.category, t.axis, t.measure, t.value]
    by_service = select(t.tool, _constant(ALL_TEAMS), t.service_id, *measure, func.sum(t.n))
    by_service = by_service.where(t.team_id >= NO_TEAM).group_by(t.tool, t.service_id, *measure)
    db.session.execute(t.__table__.insert().from_select(columns, by_service))
    by_council = select(
        t.tool, _constant(ALL_TEAMS), _constant(ALL_SERVICES), *measure, func.sum(t.n)
    )
    by_council = by_council.where(t.team_id == ALL_TEAMS).group_by(t.tool, *measure)
    db.session.execute(t.__table__.insert().from_select(columns, by_council))
    counted = db.session.scalar(
        select(func.count(Audit.id)).where(Audit.status == AuditStatus.SUBMITTED)
    )
    db.session.commit()
    return counted or 0


# -- trends -----------------------------------------------------------------------------


def monthly_rating_counts(
    scope: ReportScope, questions: Sequence[tuple[str, str, str]]
) -> dict[date, dict[str, list[RatingRow]]]:
    """Per month of the scope (first day, every month, oldest first): the rating tables.

    Each month maps ``ALL_KINDS`` and every kind with rated answers that month to
    one :class:`RatingRow` per question, in ``questions`` order, exactly as
    :func:`core.tools.reporting.rating_tables` counts that month.
    """
    return monthly_rating_tables(scope, questions)


def monthly_outcomes(scope: ReportScope) -> dict[date, dict[str, dict[str, Distribution]]]:
    """Per month of the scope: overall ratings and grades per kind (``"rating"``, ``"grade"``),
    exactly as :func:`core.tools.reporting.outcome_distributions` counts that month."""
    return monthly_outcome_distributions(scope)
