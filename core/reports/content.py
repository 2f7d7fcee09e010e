"""What a report says, as a :class:`core.exports.document.Document`.

The report page's comparison, trend and follow-up views and the committee pack
are all built here, from the pre-aggregated counts (``core.reports.summary``,
read through ``core.tools.reporting``), so the page, the PDF, the Word
document, the workbook and the CSV files always agree.

Every tool gets its results, its "line against independent" comparison and its
trend from its form definition alone (its rated questions), so a third-party
tool is reported with no code of its own; a tool adds what only it knows
through ``careaudit_report_tables``.

Line-management and independent audits are never blended: every table has a
column (or a table) per kind of audit.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Literal

from core.exports.document import Chart, Document, Paragraph, Quote, Section, Series, Table
from core.models import AuditKind, Rating, User
from core.models.audits import SCALE
from core.moderation.comparison import standard_questions
from core.reports import followup, periods
from core.reports.scopes import Scope, scopes_for
from core.tools.registry import get_registry
from core.tools.reporting import (
    ALL_KINDS,
    Distribution,
    RatingRow,
    ReportScope,
    audit_counts_by_kind,
    grades_present,
    outcome_distributions,
    rating_tables,
    tools_with_audits,
)

TrendUnit = Literal["quarter", "month"]
TREND_LENGTHS = range(4, 9)
#: The kinds a comparison sets side by side.
COMPARED = (AuditKind.LINE_MANAGEMENT.value, AuditKind.INDEPENDENT.value)
NO_DATA = None


@dataclass(frozen=True)
class ReportRequest:
    """Which report: a period, a part of the council, filters and sections.

    Keys are the report page's URL parameters (``core.reports.periods`` and
    ``core.reports.scopes``). Empty filter tuples mean "all".
    """

    period: str
    scope: str
    kinds: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    tools: tuple[str, ...] = ()
    #: Section keys to include (see :func:`available_sections`); empty = all.
    sections: tuple[str, ...] = ()
    trend_unit: TrendUnit = "quarter"
    trend_length: int = 8
    #: Officer's narrative per section key, shown under the section heading.
    narratives: dict[str, str] = field(default_factory=dict, compare=False)
    #: Pinned comments per section key.
    pins: dict[str, list[Quote]] = field(default_factory=dict, compare=False)


@dataclass(frozen=True)
class Resolved:
    """A request checked against what the user may see."""

    request: ReportRequest
    period: periods.Period
    scope: Scope
    #: Scope of the whole report; ``tool`` is set per tool with ``for_tool``.
    base: ReportScope
    tools: tuple[str, ...]

    def for_tool(self, slug: str, period: periods.Period | None = None) -> ReportScope:
        chosen = period or self.period
        return dataclasses.replace(
            self.base, tool=slug, start=chosen.start, end=chosen.end, period_label=chosen.label
        )


def resolve(request: ReportRequest, user: User, today: date | None = None) -> Resolved:
    """The period, scope and tools a request names; ``ValueError`` if the user can't have them."""
    today = today or date.today()
    period = periods.parse(request.period, today)
    if period is None:
        raise ValueError("Choose a reporting period from the list")
    scope = next((s for s in scopes_for(user) if s.key == request.scope), None)
    if scope is None:
        raise ValueError("Choose a part of the council you can report on")
    kinds = tuple(k for k in request.kinds if k in {kind.value for kind in AuditKind})
    base = ReportScope(
        tool="",
        start=period.start,
        end=period.end,
        label=scope.label,
        period_label=period.label,
        directorate_id=scope.directorate_id,
        service_id=scope.service_id,
        team_id=scope.team_id,
        kinds=kinds,
        categories=tuple(request.categories),
    )
    tools = tools_in_scope(scope, base)
    if request.tools:
        tools = tuple(slug for slug in tools if slug in request.tools)
    return Resolved(dataclasses.replace(request, kinds=kinds), period, scope, base, tools)


def tools_in_scope(scope: Scope, report: ReportScope) -> tuple[str, ...]:
    """Tools switched on in the scope, plus any with audits there in the period.

    A tool switched off later still reports the audits done while it was on.
    """
    registry = get_registry()
    switched_on = registry.switched_on(scope.service_ids)
    installed = [tool.slug for tool in registry.all()]
    maybe = [slug for slug in installed if slug not in switched_on]
    # One indexed probe per tool of the pre-aggregated figures.
    with_audits = tools_with_audits(report, maybe) if maybe else set()
    return tuple(slug for slug in installed if slug in switched_on | with_audits)


def questions_of(slug: str) -> list[tuple[str, str, str]]:
    """``(key, label, question)`` of each rated question of the tool's form, in order."""
    try:
        definition = get_registry().form(slug, None, None)
    except Exception:  # a tool that needs a case for its form: nothing to list
        return []
    return standard_questions(definition)


def tool_title(slug: str) -> str:
    tool = get_registry().get(slug)
    return tool.title if tool else slug


# -- sections ---------------------------------------------------------------------------


def available_sections(request: ReportRequest, user: User) -> list[tuple[str, str]]:
    """``(key, heading)`` of every section this report can have, in order."""
    resolved = resolve(request, user)
    out = [("summary", "About this report")]
    for slug in resolved.tools:
        title = tool_title(slug)
        out += [
            (f"results-{slug}", f"{title}: results"),
            (f"compare-{slug}", f"{title}: line management against independent audits"),
            (f"trend-{slug}", f"{title}: trend"),
        ]
        if get_registry().implements(slug, "careaudit_report_tables"):
            out.append((f"tool-{slug}", f"{title}: findings"))
    out += [
        ("actions", "Actions from audits"),
        ("moderation", "Moderation: agreement between auditors"),
        ("concerns", "Safeguarding concerns raised by auditors"),
    ]
    return out


def build_document(request: ReportRequest, user: User, title: str = "Audit report") -> Document:
    """The report as a document; raises ``ValueError`` for a period or scope the user can't use."""
    from flask import current_app

    resolved = resolve(request, user)
    headings = dict(available_sections(request, user))
    wanted = [key for key in headings if not request.sections or key in request.sections]
    sections = [build_section(resolved, key, headings[key]) for key in wanted]
    for section in sections:
        note = request.narratives.get(section.key, "").strip()
        extra: list = [Paragraph(p.strip()) for p in note.split("\n\n") if p.strip()]
        extra += list(request.pins.get(section.key, []))
        section.blocks[0:0] = extra
    return Document(
        title=title,
        council=current_app.config.get("COUNCIL_NAME", "careaudit"),
        period_label=resolved.period.label,
        scope_label=resolved.scope.label,
        sections=sections,
        summary=filter_lines(resolved),
    )


def build_section(resolved: Resolved, key: str, heading: str) -> Section:
    """One section by key: ``summary``, ``results-<tool>``, ``compare-<tool>`` ..."""
    if key == "summary":
        return Section(key, heading, summary_blocks(resolved))
    if key == "actions":
        return Section(key, heading, followup.action_blocks(resolved.base))
    if key == "moderation":
        return Section(key, heading, followup.moderation_blocks(resolved.base))
    if key == "concerns":
        return Section(key, heading, followup.concern_blocks(resolved.base))
    part, _, slug = key.partition("-")
    if slug not in resolved.tools:
        raise ValueError(f"no section {key!r} in this report")
    builders = {
        "results": results_blocks,
        "compare": comparison_blocks,
        "trend": trend_blocks,
        "tool": tool_blocks,
    }
    return Section(key, heading, builders[part](resolved, slug))


def tool_blocks(resolved: Resolved, slug: str) -> list:
    tables = get_registry().report_tables(resolved.for_tool(slug))
    return tables or [Paragraph(f"No {tool_title(slug)} findings for this period.")]


def filter_lines(resolved: Resolved) -> list[str]:
    lines = [
        f"Submitted audits dated {resolved.period.start:%-d %B %Y} to "
        f"{resolved.period.end:%-d %B %Y}."
    ]
    if resolved.request.kinds:
        names = ", ".join(AuditKind(k).label for k in resolved.request.kinds)
        lines.append(f"Kinds of audit: {names}.")
    if resolved.request.categories:
        lines.append(f"Case categories: {', '.join(resolved.request.categories)}.")
    return lines


def summary_blocks(resolved: Resolved) -> list:
    rows = []
    kinds = [
        k for k in AuditKind if not resolved.request.kinds or k.value in resolved.request.kinds
    ]
    for slug in resolved.tools:
        counts = audit_counts_by_kind(resolved.for_tool(slug))
        rows.append((tool_title(slug), *[counts.get(k.value, 0) for k in kinds], counts[ALL_KINDS]))
    columns = ("Audit tool", *[k.label for k in kinds], "All audits")
    total = sum(row[-1] for row in rows)
    return [
        Paragraph(
            f"This report counts {total} submitted audit{'s' if total != 1 else ''} of "
            f"{resolved.scope.label} dated in {resolved.period.label}. Percentages are of the "
            "audits where a standard applied (N); those where it did not are counted apart. "
            "Line-management and independent audits are reported side by side, never blended."
        ),
        Table(
            "Audits in this report, by kind of audit",
            columns,
            tuple(rows),
            (False, *[True] * (len(columns) - 1)),
            key="audits",
        ),
    ]


# -- results, comparison, trend of one tool ---------------------------------------------

RATING_COLUMNS = tuple(f"{r.label} (%)" for r in SCALE)


def _percent(row: RatingRow, rating: Rating) -> int | None:
    return row.percent(rating)


def _kinds_with_audits(counts: dict[str, int], wanted: Sequence[str]) -> list[AuditKind]:
    return [k for k in AuditKind if counts.get(k.value) and (not wanted or k.value in wanted)]


def rating_table(rows: list[RatingRow], caption: str, key: str) -> Table:
    return Table(
        caption,
        ("Standard", *RATING_COLUMNS, "N (applicable)", "Not applicable"),
        tuple(
            (
                row.label,
                *[_percent(row, r) for r in SCALE],
                row.applicable,
                row.not_applicable,
            )
            for row in rows
        ),
        (False, True, True, True, True, True),
        note="N is the number of audits where the standard applied.",
        key=key,
    )


def rating_chart(rows: list[RatingRow], title: str, key: str, table: Table) -> Chart:
    return Chart(
        title=title,
        kind="stacked_bar",
        categories=tuple(row.label for row in rows),
        series=tuple(Series(r.label, tuple(_float(row.percent(r)) for row in rows)) for r in SCALE),
        table=table,
        description=(
            f"{title}: for each standard, the share of audits rated met, partially met and not met."
        ),
        key=key,
    )


def _float(value: int | None) -> float | None:
    return None if value is None else float(value)


def _grade_rows(
    slug: str, *outcomes: dict[str, dict[str, Distribution]]
) -> tuple[list[str], dict[str, str]]:
    """The grade rows of a tool's report, best first, and their words: the scale the tool
    grades on now, and any other grade an audit in scope was given (an old audit's)."""
    registry = get_registry()
    scale = registry.grade_scale(slug)
    values = registry.report_grades(slug, set().union(*(grades_present(o) for o in outcomes)))
    return values, {value: scale.label(value) for value in values}


def outcome_table(
    outcomes: dict[str, dict[str, Distribution]],
    kinds: list[AuditKind],
    what: str,
    key: str,
    slug: str = "",
) -> Table:
    """Overall ratings (or grades, on ``slug``'s grade scale) with a column pair per kind."""
    if what == "rating":
        values = [r.value for r in SCALE]
        labels = {r.value: r.label for r in Rating}
    else:
        values, labels = _grade_rows(slug, outcomes)
    columns = ["Overall rating" if what == "rating" else "Grade"]
    for kind in kinds:
        columns += [f"{kind.label}: audits", f"{kind.label}: share (%)"]
    rows = []
    for value in values:
        cells: list = [labels[value]]
        for kind in kinds:
            distribution = outcomes.get(kind.value, {}).get(what)
            cells += [
                distribution.counts.get(value, 0) if distribution else 0,
                distribution.percent(value) if distribution else None,
            ]
        rows.append(tuple(cells))
    caption = "Overall ratings" if what == "rating" else "Overall grades"
    return Table(
        caption, tuple(columns), tuple(rows), (False, *[True] * (len(columns) - 1)), key=key
    )


def results_blocks(resolved: Resolved, slug: str) -> list:
    scope = resolved.for_tool(slug)
    counts = audit_counts_by_kind(scope)
    if not counts[ALL_KINDS]:
        return [Paragraph(f"No {tool_title(slug)} audits were submitted in this period.")]
    questions = questions_of(slug)
    tables = rating_tables(scope, questions) if questions else {}
    kinds = _kinds_with_audits(counts, resolved.request.kinds)
    blocks: list = []
    for kind in kinds:
        rows = tables.get(kind.value, [])
        n = counts[kind.value]
        caption = f"{kind.label} audits ({n}): standards met, partially met and not met"
        if rows:
            table = rating_table(rows, caption, f"{slug}-{kind.value}-standards")
            blocks.append(
                rating_chart(rows, f"{kind.label} audits: standards", table.key + "-chart", table)
            )
    outcomes = outcome_distributions(scope)
    blocks.append(outcome_table(outcomes, kinds, "rating", f"{slug}-overall-ratings", slug))
    blocks.append(outcome_table(outcomes, kinds, "grade", f"{slug}-grades", slug))
    return blocks


def _difference(a: int | None, b: int | None) -> int | None:
    return None if a is None or b is None else a - b


def comparison_blocks(resolved: Resolved, slug: str) -> list:
    """One table per standard: line management beside independent, and the difference."""
    scope = resolved.for_tool(slug)
    wanted = [k for k in COMPARED if not resolved.request.kinds or k in resolved.request.kinds]
    if len(wanted) < 2:
        return [Paragraph("Choose both line-management and independent audits to compare them.")]
    counts = audit_counts_by_kind(scope)
    line, independent = (AuditKind(k) for k in COMPARED)
    intro = Paragraph(
        f"{counts.get(line.value, 0)} line-management and {counts.get(independent.value, 0)} "
        "independent audits. The difference is in percentage points (line management minus "
        "independent): a positive figure means line managers rated more files that way."
    )
    questions = questions_of(slug)
    tables = rating_tables(scope, questions) if questions else {}
    empty = {key: RatingRow(key, label, text) for key, label, text in questions}
    by_kind = {
        kind: {row.key: row for row in tables.get(kind, [])} or dict(empty) for kind in COMPARED
    }
    columns = ("Rating", f"{line.label} (%)", f"{independent.label} (%)", "Difference (points)")
    blocks: list = [intro]
    for key, label, text in questions:
        a, b = (
            by_kind[line.value].get(key, empty[key]),
            by_kind[independent.value].get(key, empty[key]),
        )
        rows = [
            (r.label, a.percent(r), b.percent(r), _difference(a.percent(r), b.percent(r)))
            for r in SCALE
        ]
        rows.append(("N (applicable)", a.applicable, b.applicable, None))
        blocks.append(
            Table(
                f"{label}: {text}",
                columns,
                tuple(rows),
                (False, True, True, True),
                key=f"{slug}-compare-{key}",
            )
        )
    outcomes = outcome_distributions(scope)
    grade_values, grade_labels = _grade_rows(slug, outcomes)
    for what, caption, values in (
        ("rating", "Overall rating", [r.value for r in SCALE]),
        ("grade", "Overall grade", grade_values),
    ):
        da = outcomes.get(line.value, {}).get(what)
        db_ = outcomes.get(independent.value, {}).get(what)
        labels = {r.value: r.label for r in Rating} | grade_labels
        rows = []
        for value in values:
            pa = da.percent(value) if da else None
            pb = db_.percent(value) if db_ else None
            rows.append((labels[value], pa, pb, _difference(pa, pb)))
        rows.append(("N (audits)", da.total if da else 0, db_.total if db_ else 0, None))
        blocks.append(
            Table(
                caption,
                columns,
                tuple(rows),
                (False, True, True, True),
                key=f"{slug}-compare-{what}",
            )
        )
    return blocks


def trend_blocks(resolved: Resolved, slug: str) -> list:
    """Per standard, the shares in each of the last quarters (or months), by kind of audit."""
    from core.reports import summary

    request = resolved.request
    length = request.trend_length if request.trend_length in TREND_LENGTHS else 8
    unit = request.trend_unit if request.trend_unit in ("quarter", "month") else "quarter"
    spans = periods.trend(resolved.period.end, unit, length)
    whole = periods.Period("trend", "trend", spans[0].start, spans[-1].end)
    scope = resolved.for_tool(slug, whole)
    questions = questions_of(slug)
    monthly = summary.monthly_rating_counts(scope, questions) if questions else {}
    kinds = [AuditKind(k) for k in COMPARED if not request.kinds or k in request.kinds] or [
        AuditKind(k) for k in request.kinds
    ]

    def rows_for(span: periods.Period, kind: str) -> dict[str, RatingRow]:
        merged = {key: RatingRow(key, label, text) for key, label, text in questions}
        for month, by_kind in monthly.items():
            if span.start <= month <= span.end:
                for row in by_kind.get(kind, []):
                    target = merged[row.key]
                    for rating, n in row.counts.items():
                        target.counts[rating] += n
                    target.not_applicable += row.not_applicable
        return merged

    grid = {(span.key, kind.value): rows_for(span, kind.value) for span in spans for kind in kinds}
    labels = tuple(_short(span, unit) for span in spans)
    blocks: list = [
        Paragraph(
            f"The last {length} {unit}s to {spans[-1].label}: the share of audits where each "
            "standard was met, per kind of audit, with N (the audits where it applied)."
        )
    ]
    for key, label, text in questions:
        columns = ["Period"]
        for kind in kinds:
            columns += [
                f"{kind.label}: met (%)",
                f"{kind.label}: partially met (%)",
                f"{kind.label}: not met (%)",
                f"{kind.label}: N",
            ]
        rows = []
        for span, short in zip(spans, labels, strict=True):
            cells: list = [short]
            for kind in kinds:
                row = grid[(span.key, kind.value)][key]
                cells += [*(row.percent(r) for r in SCALE), row.applicable]
            rows.append(tuple(cells))
        table = Table(
            f"{label}: {text}",
            tuple(columns),
            tuple(rows),
            (False, *[True] * (len(columns) - 1)),
            key=f"{slug}-trend-{key}",
        )
        series = tuple(
            Series(
                f"{kind.label}: met",
                tuple(
                    _float(grid[(span.key, kind.value)][key].percent(Rating.MET)) for span in spans
                ),
            )
            for kind in kinds
        )
        blocks.append(
            Chart(
                title=f"{label}: share met",
                kind="line",
                categories=labels,
                series=series,
                table=table,
                description=(
                    f"{label}: the share of audits rated met in each {unit}, by kind of audit."
                ),
                key=f"{slug}-trend-{key}-chart",
            )
        )
    return blocks


def _short(span: periods.Period, unit: str) -> str:
    if unit == "month":
        return f"{span.start:%b %Y}"
    first = periods.financial_year_of(span.start)
    return f"Q{span.key.rsplit('Q', 1)[-1]} {first}/{(first + 1) % 100:02d}"
