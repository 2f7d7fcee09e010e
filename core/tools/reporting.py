"""Report scopes, report sections, and the SQL aggregations tools share.

Everything here counts in the database (``GROUP BY``); only the aggregated
rows, a handful per question, come back to Python.

Counts come from the tally (``report_tally``, kept by ``core.reports.summary`` as
audits are submitted) for the whole months of a scope, and from the ``audit`` and
``answer`` tables for part months and for scopes the tally cannot serve (a given
set of audits). Both sources give the same rows, which one function turns into
tables, so a report's figures never depend on where they were read.
"""

from __future__ import annotations

import calendar
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from typing import Any, NamedTuple

from flask import current_app, has_request_context
from sqlalchemy import ColumnElement, Date, Select, cast, func, literal_column, null, or_, select
from sqlalchemy import type_coerce as coerce

from core import versions
from core.extensions import db
from core.lru import SizedLRU
from core.memo import remembered
from core.models import Answer, Audit, AuditKind, AuditStatus, Grade, Rating, Service
from core.models.audits import SCALE
from core.models.reports import (
    ALL_SERVICES,
    ALL_TEAMS,
    ReportTally,
    ReportTallyVersion,
    TallyAxis,
)
from core.tools.questions import QuestionKind

#: Key for "all kinds of audit together" in per-kind tables.
ALL_KINDS = "all"


@dataclass(frozen=True)
class ReportScope:
    """Which submitted audits a report covers: one tool, a period, a part of the council.

    At most one of ``directorate_id``, ``service_id`` and ``team_id`` is set;
    none means the whole council. ``end`` is inclusive.
    """

    tool: str
    start: date
    end: date
    label: str = "All services"
    period_label: str = ""
    directorate_id: int | None = None
    service_id: int | None = None
    team_id: int | None = None
    #: Optionally, only these audits (a ``SELECT audit.id``), e.g. one themed audit's sample.
    only_audits: Any = None
    #: Optionally, only these kinds of audit (``AuditKind`` values); empty means all.
    kinds: tuple[str, ...] = ()
    #: Optionally, only audits of cases in these categories (codes, as at the audit).
    categories: tuple[str, ...] = ()
    #: False counts the audit and answer tables even where the tally could serve:
    #: the tests and the benchmark compare the two.
    tally: bool = True

    def conditions(self, any_tool: bool = False) -> list[ColumnElement[bool]]:
        """WHERE conditions on ``Audit`` selecting the audits in scope.

        ``any_tool`` drops the tool condition (core uses it to find which
        tools have audits in scope).
        """
        conditions: list[ColumnElement[bool]] = [
            Audit.status == AuditStatus.SUBMITTED,
            Audit.audit_date >= self.start,
            Audit.audit_date <= self.end,
        ]
        if not any_tool:
            conditions.append(Audit.tool == self.tool)
        if self.only_audits is not None:
            conditions.append(Audit.id.in_(self.only_audits))
        if self.kinds:
            conditions.append(Audit.kind.in_(self.kind_members()))
        if self.categories:
            conditions.append(Audit.category.in_(self.categories))
        if self.team_id is not None:
            conditions.append(Audit.team_id == self.team_id)
        elif self.service_id is not None:
            conditions.append(Audit.service_id == self.service_id)
        elif self.directorate_id is not None:
            in_directorate = select(Service.id).where(Service.directorate_id == self.directorate_id)
            conditions.append(Audit.service_id.in_(in_directorate))
        return conditions

    def audits(self) -> Select[Any]:
        """``SELECT audit.id`` for the audits in scope, to join or filter on."""
        return select(Audit.id).where(*self.conditions())

    def kind_members(self) -> list[AuditKind]:
        """``kinds`` as members; a value that names no kind matches no audit."""
        known = {k.value: k for k in AuditKind}
        return [known[k] for k in self.kinds if k in known]


@dataclass(frozen=True)
class ReportSection:
    """A tool's contribution to the report page.

    ``template`` is rendered with ``context`` plus ``section`` and ``scope``.
    """

    tool: str
    title: str
    template: str
    context: Mapping[str, Any] = field(default_factory=dict)
    #: Number of audits the section counts; 0 shows an empty-state message.
    audit_count: int = 0


@dataclass
class RatingRow:
    """One question's counts: Met / Partially met / Not met, Not applicable apart."""

    key: str
    label: str
    text: str
    counts: dict[Rating, int] = field(default_factory=lambda: {r: 0 for r in SCALE})
    not_applicable: int = 0

    @property
    def applicable(self) -> int:
        """N: answers rated on the three-point scale."""
        return sum(self.counts.values())

    def percent(self, rating: Rating) -> int | None:
        """Share of applicable answers, rounded to a whole per cent."""
        if not self.applicable:
            return None
        return round(100 * self.counts[rating] / self.applicable)


@dataclass
class Distribution:
    """How many audits fall in each category (e.g. overall rating or grade)."""

    counts: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def percent(self, key: str) -> int | None:
        if not self.total:
            return None
        return round(100 * self.counts.get(key, 0) / self.total)


# -- counting: the tally for whole months, the answers for the rest -------------------


class CountRow(NamedTuple):
    """One aggregated count, as both sources give it (see ``core.models.reports``)."""

    month: date | None  # the month's first day; None when not counted by month
    kind: str
    axis: TallyAxis
    measure: str
    value: str
    n: int


def month_start(column: Any) -> ColumnElement[date]:
    """SQL for the first day of a date column's month, on PostgreSQL and SQLite."""
    if db.engine.dialect.name == "postgresql":
        # Inline literals, not parameters: PostgreSQL matches the GROUP BY expression
        # with the selected one only if they are written the same.
        return cast(func.date_trunc(literal_column("'month'"), column), Date)
    # SQLite keeps dates as ISO text; date(.., 'start of month') gives the same text.
    return coerce(func.date(column, literal_column("'start of month'")), Date)


def _last_day(day: date) -> date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def _rest_of_month_is_empty(scope: ReportScope, start: date, end: date) -> bool:
    """No submitted audit of the tool, anywhere, in the part of the month outside start-end.

    Then the month's tally counts exactly the part: the current month to date (no
    audit is dated in the future) reads the tally like any whole month. Two probes
    on the ``ix_audit_report`` index, whatever the size of the month.
    """
    first, last = start.replace(day=1), _last_day(start)
    outside = or_(
        (Audit.audit_date >= first) & (Audit.audit_date < start),
        (Audit.audit_date > end) & (Audit.audit_date <= last),
    )
    probe = select(Audit.id).where(
        Audit.tool == scope.tool, Audit.status == AuditStatus.SUBMITTED, outside
    )
    return db.session.execute(probe.limit(1)).first() is None


def _split(scope: ReportScope) -> tuple[tuple[date, date] | None, list[tuple[date, date]]]:
    """The months the tally counts (first and last month's first day) and the part
    months it cannot, counted from the answers instead.

    A period of whole months (a month, a quarter, a year) is all tally. A part
    month is too when the rest of that month has no audits (the current month to
    date); otherwise, as for the first month of "the last 12 months", the answers
    are counted. Only the first and last months can be part months, so the
    tallied months are always one range.
    """
    tallied: list[date] = []
    parts: list[tuple[date, date]] = []
    first = scope.start.replace(day=1)
    while first <= scope.end:
        last = _last_day(first)
        start, end = max(scope.start, first), min(scope.end, last)
        if (start, end) == (first, last) or _rest_of_month_is_empty(scope, start, end):
            tallied.append(first)
        else:
            parts.append((start, end))
        first = last + timedelta(days=1)
    return ((tallied[0], tallied[-1]) if tallied else None), parts


def _raw_rows(
    scope: ReportScope, axes: Iterable[TallyAxis], keys: Sequence[str], by_month: bool
) -> list[CountRow]:
    """The counts from the ``audit`` and ``answer`` tables."""
    month = month_start(Audit.audit_date) if by_month else null()
    empty = literal_column("''")
    rows: list[CountRow] = []
    where = scope.conditions()
    for axis in axes:
        if axis is TallyAxis.AUDIT:
            statement = select(
                month, Audit.kind, empty.label("measure"), empty.label("value"), func.count()
            ).where(*where)
            group = [Audit.kind]
        elif axis in (TallyAxis.RATING, TallyAxis.GRADE):
            column = Audit.overall_rating if axis is TallyAxis.RATING else Audit.grade
            statement = select(month, Audit.kind, empty, column, func.count(Audit.id)).where(
                *where, column.is_not(None)
            )
            group = [Audit.kind, column]
        else:
            if not keys:
                continue
            column = Answer.rating if axis is TallyAxis.ANSWER else Answer.value
            statement = (
                select(month, Audit.kind, Answer.question, column, func.count(Answer.id))
                .join(Answer, Answer.audit_id == Audit.id)
                .where(*where, Answer.question.in_(keys), column.is_not(None))
            )
            group = [Audit.kind, Answer.question, column]
        if by_month:
            group.insert(0, month)
        for row_month, kind, row_measure, row_value, n in db.session.execute(
            statement.group_by(*group)
        ):
            rows.append(CountRow(row_month, kind.value, axis, row_measure, str(row_value), n))
    return rows


#: Axes whose rows are per question (``measure`` is the question key).
_BY_QUESTION = {TallyAxis.ANSWER, TallyAxis.VALUE}
#: The longest value the tally keeps (its ``value`` column).
TALLIED_VALUE_LENGTH = 60


def tallied_questions() -> dict[str, frozenset[str]]:
    """Each tool's questions whose values the tally counts: choices and whole numbers.

    Choices (``QuestionKind.CHOICE``) store the form's own codes and numbers
    (``QuestionKind.NUMBER``) whole numbers, never free text, which may hold names;
    a report counting them (``value_tables``, e.g. supervision sessions recorded)
    then reads the tally. Read from each tool's form once per set of installed tools.
    """
    from core.tools.registry import get_registry

    registry = get_registry()
    slugs = tuple(tool.slug for tool in registry.all())
    cached = current_app.extensions.get("careaudit.tally.choices")
    if cached is not None and cached[0] == slugs:
        return cached[1]  # type: ignore[no-any-return]
    found: dict[str, frozenset[str]] = {}
    for slug in slugs:
        try:
            form = registry.form(slug, None, None)
        except Exception:  # a form that needs its subject to exist: no values tallied
            continue
        keys = frozenset(
            q.key
            for q in form.questions()
            if q.kind is QuestionKind.NUMBER
            or (
                q.kind is QuestionKind.CHOICE
                and all(len(o.value) <= TALLIED_VALUE_LENGTH for o in q.options)
            )
        )
        if keys:
            found[slug] = keys
    current_app.extensions["careaudit.tally.choices"] = (slugs, found)
    return found


#: The first name of :func:`tallied_questions` (the benchmark uses it).
choice_questions = tallied_questions


def _tally_place(scope: ReportScope) -> list[ColumnElement[bool]]:
    """Which grain of the tally a scope reads, and where (see ``core.models.reports``)."""
    if scope.team_id is not None:
        return [ReportTally.team_id == scope.team_id]
    place = [ReportTally.team_id == ALL_TEAMS]
    if scope.service_id is not None:
        place.append(ReportTally.service_id == scope.service_id)
    elif scope.directorate_id is not None:
        in_directorate = select(Service.id).where(Service.directorate_id == scope.directorate_id)
        place.append(ReportTally.service_id.in_(in_directorate))
    else:
        place.append(ReportTally.service_id == ALL_SERVICES)
    return place


def _tally_filters(scope: ReportScope, months: tuple[date, date]) -> list[ColumnElement[bool]]:
    """The tally rows of the scope's tool, place, filters and whole ``months``."""
    where = [
        ReportTally.tool == scope.tool,
        *_tally_place(scope),
        ReportTally.month >= months[0],
        ReportTally.month <= months[1],
        # Counts taken back to nothing (an audit moved or deleted) leave a 0 behind.
        ReportTally.n != 0,
    ]
    if scope.kinds:
        where.append(ReportTally.kind.in_(scope.kind_members()))
    if scope.categories:
        # Audits without a category are tallied under "" and match no filter.
        where.append(ReportTally.category.in_([c for c in scope.categories if c]))
    return where


def _tally_rows(
    scope: ReportScope,
    months: tuple[date, date],
    axes: Sequence[TallyAxis],
    keys: Sequence[str],
    by_month: bool,
) -> list[CountRow]:
    """The counts of whole months ``months`` (first days, inclusive) from the tally."""
    axes = [a for a in axes if a not in _BY_QUESTION or keys]
    if not axes:
        return []
    # A report page asks for the same scope several times (counts by kind, ratings,
    # values, outcomes): the tally is read once per scope and transaction.
    memo = remembered()
    place = (scope.tool, scope.directorate_id, scope.service_id, scope.team_id)
    grain = ("tally", *place, months, scope.kinds, scope.categories, by_month)
    if any((grain, axis) not in memo for axis in axes):
        # Every axis at once: the page's other sections will ask for the rest.
        missing = [axis for axis in TallyAxis if (grain, axis) not in memo]
        for axis in missing:
            memo[(grain, axis)] = []
        for row in _read_tally(scope, months, missing, by_month):
            memo[(grain, row.axis)].append(row)
    wanted = set(keys)
    return [
        row
        for axis in axes
        for row in memo[(grain, axis)]
        if axis not in _BY_QUESTION or row.measure in wanted
    ]


# -- tally reads kept across requests -----------------------------------------------------
#
# A council-wide report sums some 14,000 monthly rows per tool, and every view of it
# summed them again. Each process keeps its latest reads under the tally's version
# token (``core.reports.summary`` gives it a new value in every transaction that changes
# the tally) and the database they came from. A transaction that changed the tally
# itself reads afresh: its counts are not committed, so the token is not new yet. A
# directorate's reads are not kept: which services it has is not part of the tally.

#: Session ``info`` key: this transaction changed the tally (set by core.reports.summary).
TALLY_CHANGED = "careaudit.tally.changed"
#: Rows kept per process, all reads together (a row is some 400 bytes: about 40 MB).
#: A council's 12-month report reads about 300 rows per tool; a trend by month, thousands.
KEPT_ROWS = 100_000
_kept: SizedLRU[tuple[CountRow, ...]] = SizedLRU(KEPT_ROWS, len)


def tally_version() -> str | None:
    """The tally's version token, for keys of values kept elsewhere that are counted from
    it (``core.reports.kept``); None where nothing may be kept across requests."""
    return _tally_token() if has_request_context() else None


def _tally_token() -> str | None:
    """The tally's version token, once per transaction; None where reads are not kept."""
    memo = remembered()  # flushes first, which may change the tally
    if db.session.info.get(TALLY_CHANGED):
        return None
    if "tally token" not in memo:
        token = versions.noted(versions.TALLY)  # read with the session, usually
        if token is versions.UNREAD:
            token = db.session.scalar(
                select(ReportTallyVersion.token).where(ReportTallyVersion.id == 1)
            )
        memo["tally token"] = token
    return memo["tally token"]  # type: ignore[no-any-return]


def _read_tally(
    scope: ReportScope, months: tuple[date, date], axes: Sequence[TallyAxis], by_month: bool
) -> list[CountRow]:
    """Every measure's counts of ``axes`` in scope, from the tally (or this process's
    read of it at the same version)."""
    token = _tally_token() if scope.directorate_id is None else None
    if token is None:
        return _query_tally(scope, months, axes, by_month)
    key = (
        db.engine.url.render_as_string(hide_password=True),
        token,
        scope.tool,
        scope.service_id,
        scope.team_id,
        months,
        scope.kinds,
        scope.categories,
        tuple(axes),
        by_month,
    )
    kept = _kept.get(key)
    if kept is not None:
        return list(kept)  # type: ignore[call-overload]
    rows = _query_tally(scope, months, axes, by_month)
    _kept.put(key, tuple(rows))
    return rows


def _query_tally(
    scope: ReportScope, months: tuple[date, date], axes: Sequence[TallyAxis], by_month: bool
) -> list[CountRow]:
    """Every measure's counts of ``axes`` in scope, from the tally, in one statement."""
    where = [*_tally_filters(scope, months), ReportTally.axis.in_(axes)]
    group = [ReportTally.kind, ReportTally.axis, ReportTally.measure, ReportTally.value]
    month = ReportTally.month if by_month else null()
    if by_month:
        group.insert(0, ReportTally.month)
    statement = (
        select(month, *group[1 if by_month else 0 :], func.sum(ReportTally.n))
        .where(*where)
        .group_by(*group)
    )
    return [
        CountRow(row_month, kind.value, TallyAxis(axis), measure, value, int(n))
        for row_month, kind, axis, measure, value, n in db.session.execute(statement)
    ]


def count_rows(
    scope: ReportScope,
    axes: Sequence[TallyAxis],
    keys: Sequence[str] = (),
    by_month: bool = False,
) -> list[CountRow]:
    """The counts in scope for ``axes`` (``keys``: the questions of ``answer`` rows).

    Whole months come from the tally unless the scope names its own audits or
    asks for the raw count (``tally=False``); part months from the answers. Rows
    of the same key may come from both: consumers add them up.
    """
    if scope.start > scope.end:
        return []
    keys = list(keys)
    if not scope.tally or scope.only_audits is not None:
        return _raw_rows(scope, axes, keys, by_month)
    whole, parts = _split(scope)
    rows = _tally_rows(scope, whole, axes, keys, by_month) if whole else []
    for start, end in parts:
        rows += _raw_rows(replace(scope, start=start, end=end), axes, keys, by_month)
    return rows


def tools_with_audits(scope: ReportScope, tools: Iterable[str]) -> set[str]:
    """Which of ``tools`` have submitted audits in scope (``scope.tool`` is ignored).

    One indexed probe per tool (the tally for whole months), where a ``DISTINCT
    audit.tool`` over every tool's audits would read them all.
    """
    found: set[str] = set()
    for tool in tools:
        one = replace(scope, tool=tool)
        if one.start > one.end:
            continue
        if not one.tally or one.only_audits is not None:
            probes = [select(Audit.id).where(*one.conditions())]
        else:
            whole, parts = _split(one)
            probes = [
                select(Audit.id).where(*replace(one, start=start, end=end).conditions())
                for start, end in parts
            ]
            if whole:
                tallied = [*_tally_filters(one, whole), ReportTally.axis == TallyAxis.AUDIT]
                probes.insert(0, select(ReportTally.n).where(*tallied))
        if any(db.session.execute(probe.limit(1)).first() for probe in probes):
            found.add(tool)
    return found


def kinds_in_order(kinds: Iterable[str]) -> list[str]:
    """Kinds of audit in the order the report shows them."""
    present = set(kinds)
    return [k.value for k in AuditKind if k.value in present]


def _kind_counts(rows: Iterable[CountRow]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for row in rows:
        if row.axis is TallyAxis.AUDIT:
            counts[row.kind] = counts.get(row.kind, 0) + row.n
    ordered = {kind: counts[kind] for kind in kinds_in_order(counts)}
    ordered[ALL_KINDS] = sum(counts.values())
    return ordered


def _rating_tables(
    rows: Iterable[CountRow], questions: Sequence[tuple[str, str, str]]
) -> dict[str, list[RatingRow]]:
    tables: dict[str, dict[str, RatingRow]] = {}

    def table(kind: str) -> dict[str, RatingRow]:
        if kind not in tables:
            tables[kind] = {key: RatingRow(key, label, text) for key, label, text in questions}
        return tables[kind]

    table(ALL_KINDS)
    for row in rows:
        if row.axis is not TallyAxis.ANSWER:
            continue
        rating = Rating(row.value)
        for name in (ALL_KINDS, row.kind):
            entry = table(name).get(row.measure)
            if entry is None:
                continue
            if rating is Rating.NOT_APPLICABLE:
                entry.not_applicable += row.n
            else:
                entry.counts[rating] += row.n
    ordered = [ALL_KINDS, *kinds_in_order(tables)]
    return {kind: list(tables[kind].values()) for kind in ordered}


def _outcomes(rows: Iterable[CountRow]) -> dict[str, dict[str, Distribution]]:
    result: dict[str, dict[str, Distribution]] = {}

    def bucket(kind: str) -> dict[str, Distribution]:
        if kind not in result:
            result[kind] = {
                "rating": Distribution({r.value: 0 for r in SCALE}),
                "grade": Distribution({g.value: 0 for g in Grade}),
            }
        return result[kind]

    bucket(ALL_KINDS)
    for row in rows:
        for name in (ALL_KINDS, row.kind):
            bucket(name)  # every kind with audits gets a table, even without outcomes
            if row.axis is TallyAxis.AUDIT or not row.value:
                continue
            counts = bucket(name)["rating" if row.axis is TallyAxis.RATING else "grade"].counts
            counts[row.value] = counts.get(row.value, 0) + row.n
    ordered = [ALL_KINDS, *kinds_in_order(result)]
    return {kind: result[kind] for kind in ordered}


def _by_month(rows: Iterable[CountRow], scope: ReportScope) -> dict[date, list[CountRow]]:
    """Rows per month, with every month of the scope present (empty months too)."""
    months: dict[date, list[CountRow]] = {}
    first = scope.start.replace(day=1)
    while first <= scope.end:
        months[first] = []
        first = _last_day(first) + timedelta(days=1)
    for row in rows:
        assert row.month is not None
        months[row.month].append(row)
    return months


_OUTCOME_AXES = (TallyAxis.AUDIT, TallyAxis.RATING, TallyAxis.GRADE)


def audit_counts_by_kind(scope: ReportScope) -> dict[str, int]:
    """Number of audits in scope per kind, plus ``ALL_KINDS``."""
    return _kind_counts(count_rows(scope, [TallyAxis.AUDIT]))


def rating_tables(
    scope: ReportScope, questions: Sequence[tuple[str, str, str]]
) -> dict[str, list[RatingRow]]:
    """Per-question rating counts, for all audits and for each kind of audit.

    ``questions`` is ``(key, label, text)`` in display order. Returns
    ``{ALL_KINDS | kind: [RatingRow, ...]}`` with a table for every kind that
    has rated answers in scope.
    """
    keys = [key for key, _, _ in questions]
    return _rating_tables(count_rows(scope, [TallyAxis.ANSWER], keys), questions)


def monthly_rating_tables(
    scope: ReportScope, questions: Sequence[tuple[str, str, str]]
) -> dict[date, dict[str, list[RatingRow]]]:
    """:func:`rating_tables` for each month of the scope (first day -> tables)."""
    keys = [key for key, _, _ in questions]
    rows = count_rows(scope, [TallyAxis.ANSWER], keys, by_month=True)
    return {
        month: _rating_tables(month_rows, questions)
        for month, month_rows in _by_month(rows, scope).items()
    }


def value_tables(scope: ReportScope, keys: Iterable[str]) -> dict[str, dict[str, dict[str, int]]]:
    """Counts of each stored value per question: ``{kind: {key: {value: n}}}``.

    Choice and number questions' values come from the tally; any other question (a
    date, a rating's free-text value) makes the whole table count the answers.
    """
    keys = list(keys)
    if not set(keys) <= tallied_questions().get(scope.tool, frozenset()):
        scope = replace(scope, tally=False)
    result: dict[str, dict[str, dict[str, int]]] = defaultdict(lambda: defaultdict(dict))
    for row in count_rows(scope, [TallyAxis.VALUE], keys):
        for name in (ALL_KINDS, row.kind):
            bucket = result[name][row.measure]
            bucket[row.value] = bucket.get(row.value, 0) + row.n
    return result


def outcome_distributions(scope: ReportScope) -> dict[str, dict[str, Distribution]]:
    """Overall ratings and grades per kind: ``{kind: {"rating": .., "grade": ..}}``."""
    return _outcomes(count_rows(scope, _OUTCOME_AXES))


def grades_present(outcomes: Mapping[str, Mapping[str, Distribution]]) -> set[str]:
    """The grade codes any audit in ``outcomes`` was given (counted at least once)."""
    return {
        code
        for buckets in outcomes.values()
        if "grade" in buckets
        for code, n in buckets["grade"].counts.items()
        if n
    }


def grade_columns(slug: str, outcomes: Mapping[str, Mapping[str, Distribution]]) -> list[str]:
    """The grade codes a tool's report counts, best first: the grades of the scale the
    tool grades on now, then any other grade its audits in scope were given (an old
    audit's Adequate after the council moved to Ofsted's scale keeps its row). See
    ``ToolRegistry.report_grades``."""
    from core.tools.registry import get_registry  # the registry imports this module

    return get_registry().report_grades(slug, grades_present(outcomes))


def monthly_outcome_distributions(
    scope: ReportScope,
) -> dict[date, dict[str, dict[str, Distribution]]]:
    """:func:`outcome_distributions` for each month of the scope (first day -> outcomes)."""
    rows = count_rows(scope, _OUTCOME_AXES, by_month=True)
    return {month: _outcomes(month_rows) for month, month_rows in _by_month(rows, scope).items()}


def kind_tabs(counts: Mapping[str, int]) -> list[tuple[str, str, int]]:
    """``(key, label, audits)`` for each kind with audits, then all kinds together.

    The first tab, the one a reader sees, is never a blend of line-management and
    independent audits: committee reports never mix them.
    """
    tabs = [(k.value, k.label, counts[k.value]) for k in AuditKind if counts.get(k.value)]
    return [*tabs, (ALL_KINDS, "All kinds together", counts.get(ALL_KINDS, 0))]


def standards_report_context(
    scope: ReportScope, questions: Sequence[tuple[str, str, str]]
) -> dict[str, Any]:
    """What a standards tool's report section needs, for the ``standards_report`` macro.

    ``questions`` is ``(key, label, text)`` in display order, as for
    :func:`rating_tables`. Returns ``audit_count`` (every kind together, for
    ``ReportSection.audit_count``), ``tabs`` (:func:`kind_tabs`), ``tables``
    (:func:`rating_tables` over ``questions``), ``outcomes``
    (:func:`outcome_distributions`) and ``grade_columns`` (:func:`grade_columns`).
    """
    counts = audit_counts_by_kind(scope)
    outcomes = outcome_distributions(scope)
    return {
        "audit_count": counts[ALL_KINDS],
        "tabs": kind_tabs(counts),
        "tables": rating_tables(scope, questions),
        "outcomes": outcomes,
        "grade_columns": grade_columns(scope.tool, outcomes),
    }
