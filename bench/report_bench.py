"""Benchmark: the report, the trend and the report page against the raw count.

Issue 10's targets: at 1,000,000 audits on PostgreSQL, one quarter's report
section in at most 0.1 s and an 8-quarter trend in at most 0.3 s, with figures
identical to the raw count; at 100,000 audits on SQLite, the report page in
at most 0.3 s. Run it on a database made by bench/generate_audits.py.

Measured, warm (one run first, then ``--runs`` runs; best and median):

(a) one quarter's whole-council figures for a tool through ``core.tools.reporting``
    (counts by kind, rating tables, overall ratings and grades, the coded values
    of its choice questions: what a standards tool's section reads), and the
    tool's whole report section (its hook);
(b) the same figures by the raw ``GROUP BY`` over ``audit`` and ``answer``: the
    reference, in the same run;
(c) an 8-quarter trend through ``core.reports.summary.monthly_rating_counts``
    and the raw ``GROUP BY`` month of the same 8 quarters;
(d) the whole ``/reports/`` page for the quarter, whole council, signed in as a
    senior manager (Flask's test client: no network, the full request); its
    line-against-independent and 8-quarter trend views; and the page as it first
    opens (the last 12 months, two of them part months).

The tally's figures are compared with the raw figures, and the run fails
(exit status 1) if any differs. Prints a Markdown table for docs/performance.md.

Run:
  .venv/bin/python bench/report_bench.py --database-url sqlite:////tmp/careaudit-bench-100k.sqlite3
  .venv/bin/python bench/report_bench.py \\
      --database-url postgresql://postgres@127.0.0.1:5432/careaudit_bench1m
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("CAREAUDIT_INSTANCE_PATH", tempfile.mkdtemp(prefix="careaudit-bench-"))

from sqlalchemy import extract, func, select

from bench.generate_audits import PASSWORD, SENIOR_MANAGER, make_app
from core.extensions import db
from core.models import Answer, Audit, AuditStatus, Case
from core.reports import periods
from core.tools.questions import AuditSubject, QuestionKind
from core.tools.registry import get_registry
from core.tools.reporting import (
    ALL_KINDS,
    ReportScope,
    audit_counts_by_kind,
    outcome_distributions,
    rating_tables,
    value_tables,
)

#: The latest whole quarter in the generated data (July to September 2026).
QUARTER = "2026-27-Q2"
TREND_QUARTERS = 8
TARGETS = {
    ("postgresql", "section"): 0.1,
    ("postgresql", "trend"): 0.3,
    ("sqlite", "page"): 0.3,
}
#: The issue's targets are named at these sizes; at others they are shown for reference.
TARGET_SIZES = {"postgresql": 1_000_000, "sqlite": 100_000}


@dataclass
class Timing:
    label: str
    key: str
    best: float
    median: float
    reference_best: float | None = None
    reference_median: float | None = None


def timed(function: Callable[[], Any], runs: int) -> tuple[float, float, Any]:
    """Best and median seconds of ``runs`` calls after one warm-up call, and the last result."""
    result = function()
    seconds = []
    for _ in range(runs):
        start = time.perf_counter()
        result = function()
        seconds.append(time.perf_counter() - start)
    return min(seconds), statistics.median(seconds), result


def questions_of(slug: str) -> list[tuple[str, str, str]]:
    """The tool's rated questions, ``(key, label, text)``, from its form via the registry."""
    registry = get_registry()
    info = registry.get(slug)
    assert info is not None, f"no tool {slug!r}"
    if info.subject == "staff":
        form = registry.form(slug, None, None, subject=AuditSubject(kind="staff"))
    else:
        case = db.session.scalar(
            select(Case).join(Audit, Audit.case_id == Case.id).where(Audit.tool == slug).limit(1)
        )
        form = registry.form(slug, case, case.service_id if case else None)
    return [
        (q.key, q.name or q.key, q.text) for q in form.questions() if q.kind is QuestionKind.RATING
    ]


# -- the reference: the raw GROUP BY over audit and answer ----------------------------


def _in_scope(scope: ReportScope) -> list[Any]:
    return [
        Audit.tool == scope.tool,
        Audit.status == AuditStatus.SUBMITTED,
        Audit.audit_date >= scope.start,
        Audit.audit_date <= scope.end,
    ]


def raw_section(
    scope: ReportScope, keys: Sequence[str], choices: Sequence[str] = ()
) -> dict[str, Counter]:
    """Counts by kind, ratings and choices by kind and question, outcomes by kind: from the rows."""
    where = _in_scope(scope)
    values: Counter = Counter()
    if choices:
        values = Counter(
            {
                (kind.value, question, value): n
                for kind, question, value, n in db.session.execute(
                    select(Audit.kind, Answer.question, Answer.value, func.count(Answer.id))
                    .join(Answer, Answer.audit_id == Audit.id)
                    .where(*where, Answer.question.in_(list(choices)), Answer.value.is_not(None))
                    .group_by(Audit.kind, Answer.question, Answer.value)
                )
            }
        )
    counts = Counter(
        {
            kind.value: n
            for kind, n in db.session.execute(
                select(Audit.kind, func.count(Audit.id)).where(*where).group_by(Audit.kind)
            )
        }
    )
    ratings = Counter(
        {
            (kind.value, question, rating.value): n
            for kind, question, rating, n in db.session.execute(
                select(Audit.kind, Answer.question, Answer.rating, func.count(Answer.id))
                .join(Answer, Answer.audit_id == Audit.id)
                .where(*where, Answer.question.in_(list(keys)), Answer.rating.is_not(None))
                .group_by(Audit.kind, Answer.question, Answer.rating)
            )
        }
    )
    outcomes: Counter = Counter()
    for kind, rating, grade, n in db.session.execute(
        select(Audit.kind, Audit.overall_rating, Audit.grade, func.count(Audit.id))
        .where(*where)
        .group_by(Audit.kind, Audit.overall_rating, Audit.grade)
    ):
        if rating:
            outcomes[(kind.value, "rating", rating)] += n
        if grade:
            outcomes[(kind.value, "grade", grade)] += n
    return {"counts": counts, "ratings": ratings, "outcomes": outcomes, "values": values}


def raw_trend(scope: ReportScope, keys: Sequence[str]) -> Counter:
    """``(year, month, kind, question, rating) -> answers`` over the trend's months."""
    year = extract("year", Audit.audit_date)
    month = extract("month", Audit.audit_date)
    statement = (
        select(year, month, Audit.kind, Answer.question, Answer.rating, func.count(Answer.id))
        .join(Answer, Answer.audit_id == Audit.id)
        .where(*_in_scope(scope), Answer.question.in_(list(keys)), Answer.rating.is_not(None))
        .group_by(year, month, Audit.kind, Answer.question, Answer.rating)
    )
    return Counter(
        {
            (int(y), int(m), kind.value, question, rating.value): n
            for y, m, kind, question, rating, n in db.session.execute(statement)
        }
    )


# -- the tally path: what the report reads ---------------------------------------------


def tally_section(
    scope: ReportScope, questions: Sequence[tuple[str, str, str]], choices: Sequence[str] = ()
) -> dict:
    """The same figures through ``core.tools.reporting``, as the report section reads them."""
    return {
        "counts": audit_counts_by_kind(scope),
        "tables": rating_tables(scope, questions),
        "outcomes": outcome_distributions(scope),
        "values": value_tables(scope, choices) if choices else {},
    }


def flatten_section(section: dict) -> dict[str, Counter]:
    """``tally_section``'s result in ``raw_section``'s shape (per kind; zeros dropped)."""
    counts = Counter({k: n for k, n in section["counts"].items() if k != ALL_KINDS and n})
    ratings: Counter = Counter()
    for kind, rows in section["tables"].items():
        if kind == ALL_KINDS:
            continue
        for row in rows:
            for rating, n in row.counts.items():
                if n:
                    ratings[(kind, row.key, rating.value)] = n
            if row.not_applicable:
                ratings[(kind, row.key, "not_applicable")] = row.not_applicable
    outcomes: Counter = Counter()
    for kind, tables in section["outcomes"].items():
        if kind == ALL_KINDS:
            continue
        for axis, distribution in tables.items():
            for value, n in distribution.counts.items():
                if n:
                    outcomes[(kind, axis, value)] = n
    values: Counter = Counter()
    for kind, by_question in section["values"].items():
        if kind == ALL_KINDS:
            continue
        for question, by_value in by_question.items():
            for value, n in by_value.items():
                if n:
                    values[(kind, question, value)] = n
    return {"counts": counts, "ratings": ratings, "outcomes": outcomes, "values": values}


def flatten_trend(result: Any) -> Counter:
    """``monthly_rating_counts``'s result as ``(year, month, kind, question, rating) -> n``.

    The tally returns month -> kind -> [RatingRow] (as ``rating_tables`` per month);
    rows with month, kind, question, rating and n, or nested mappings month ->
    kind -> question -> rating -> n, are read too.
    """
    flat: Counter = Counter()

    def add(month: Any, kind: Any, question: str, rating: Any, n: int) -> None:
        if n:
            flat[
                (month.year, month.month, getattr(kind, "value", kind), question,
                 getattr(rating, "value", rating))
            ] += n  # fmt: skip

    if isinstance(result, dict):
        for month, by_kind in result.items():
            for kind, by_question in by_kind.items():
                if kind == ALL_KINDS:
                    continue
                if isinstance(by_question, list):  # RatingRows in question order
                    by_question = {row.key: row for row in by_question}
                for question, by_rating in by_question.items():
                    if hasattr(by_rating, "counts"):  # a RatingRow
                        for rating, n in by_rating.counts.items():
                            add(month, kind, question, rating, n)
                        add(month, kind, question, "not_applicable", by_rating.not_applicable)
                    else:
                        for rating, n in by_rating.items():
                            add(month, kind, question, rating, n)
        return flat
    for row in result:
        row = row._mapping if hasattr(row, "_mapping") else row
        get = row.get if isinstance(row, dict) else lambda name, r=row: getattr(r, name)
        add(get("month"), get("kind"), get("question"), get("rating"), get("n"))
    return flat


def _differences(name: str, tally: Counter, raw: Counter) -> list[str]:
    keys = sorted(set(tally) | set(raw), key=str)
    wrong = [f"{name} {key}: tally {tally.get(key, 0)}, raw {raw.get(key, 0)}" for key in keys]
    return [w for w, key in zip(wrong, keys, strict=True) if tally.get(key, 0) != raw.get(key, 0)]


# -- the run ----------------------------------------------------------------------------


def bench(url: str, tool: str, quarter_key: str, runs: int) -> tuple[list[Timing], dict]:
    app = make_app(url)
    timings: list[Timing] = []
    problems: list[str] = []
    with app.app_context():
        backend = db.engine.dialect.name
        registry = get_registry()
        quarter = periods.parse(quarter_key, date.today())
        assert quarter is not None, f"not a quarter: {quarter_key}"
        first, number = int(quarter_key[:4]), int(quarter_key[-1])
        index = first * 4 + number - 1 - (TREND_QUARTERS - 1)
        trend_start = periods.financial_quarter(index // 4, index % 4 + 1).start
        scope = ReportScope(
            tool=tool, start=quarter.start, end=quarter.end, period_label=quarter.label
        )
        trend_scope = ReportScope(tool=tool, start=trend_start, end=quarter.end)
        questions = questions_of(tool)
        keys = [key for key, _, _ in questions]
        # The choice questions whose coded values the tally counts (e.g. Standard 6's items).
        try:
            from core.tools.reporting import choice_questions

            choices = sorted(choice_questions().get(tool, ()))
        except ImportError:
            choices = []
        sizes = {
            "backend": backend,
            "audits": db.session.scalar(select(func.count(Audit.id))),
            "answers": db.session.scalar(select(func.count(Answer.id))),
            "in quarter": db.session.scalar(select(func.count(Audit.id)).where(*_in_scope(scope))),
        }
        try:
            from core.models.reports import ReportTally

            sizes["tally rows"] = db.session.scalar(select(func.count()).select_from(ReportTally))
        except ImportError:
            sizes["tally rows"] = None

        # (a) and (b): one quarter's section.
        best, median, section = timed(lambda: tally_section(scope, questions, choices), runs)
        raw_best, raw_median, raw = timed(lambda: raw_section(scope, keys, choices), runs)
        timings.append(
            Timing(
                f"one quarter, whole council, {tool}: section figures",
                "section",
                best,
                median,
                raw_best,
                raw_median,
            )
        )
        flat = flatten_section(section)
        for name in ("counts", "ratings", "outcomes", "values"):
            problems += _differences(name, flat[name], raw[name])
        if not raw["ratings"]:
            problems.append("the quarter has no rated answers: is the database generated?")
        best, median, _ = timed(lambda: registry.report_section(scope), runs)
        timings.append(
            Timing(
                f"one quarter, whole council, {tool}: the tool's whole section",
                "hook",
                best,
                median,
            )
        )

        # (c): the 8-quarter trend.
        try:
            from core.reports.summary import monthly_rating_counts
        except ImportError:
            monthly_rating_counts = None
        raw_best, raw_median, raw_months = timed(lambda: raw_trend(trend_scope, keys), runs)
        if monthly_rating_counts is not None:
            best, median, months = timed(
                lambda: monthly_rating_counts(trend_scope, questions), runs
            )
            problems += _differences("trend", flatten_trend(months), raw_months)
        else:
            best = median = float("nan")
            problems.append("core.reports.summary.monthly_rating_counts is missing")
        timings.append(
            Timing(
                f"{TREND_QUARTERS} quarters' trend, whole council, {tool}",
                "trend",
                best,
                median,
                raw_best,
                raw_median,
            )
        )

        # (d): the whole report page, signed in as a senior manager.
        client = app.test_client()
        response = client.post("/sign-in", data={"email": SENIOR_MANAGER, "password": PASSWORD})
        assert response.status_code in (302, 303), f"sign-in failed: {response.status_code}"
        path = f"/reports/?period={quarter_key}&scope=all"

        def page() -> int:
            answer = client.get(path)
            assert answer.status_code == 200, f"{path}: {answer.status_code}"
            return len(answer.data)

        best, median, _ = timed(page, runs)
        timings.append(Timing("the report page, one quarter, whole council", "page", best, median))
        # The page's other views of the same quarter: line against independent, and the
        # trend of the 8 quarters to it (tables and a chart per standard, every tool).
        for view, label in (
            ("compare", "line management against independent"),
            ("trend", f"trend of {TREND_QUARTERS} quarters"),
        ):
            path = f"/reports/?period={quarter_key}&scope=all&view={view}"
            if view == "trend":
                path += f"&unit=quarter&length={TREND_QUARTERS}"
            best, median, _ = timed(page, runs)
            timings.append(
                Timing(f"the report page, {label}, whole council", f"page-{view}", best, median)
            )
        # The page as it first opens: the last 12 months, whose two part months are
        # counted from the answers (the tally holds whole months).
        path = f"/reports/?period={periods.DEFAULT_PERIOD}&scope=all"
        best, median, _ = timed(page, runs)
        timings.append(
            Timing("the report page, last 12 months (the default), whole council", "", best, median)
        )
        db.session.remove()
        db.engine.dispose()
    sizes["problems"] = problems
    return timings, sizes


def table(timings: list[Timing], sizes: dict) -> str:
    backend = sizes["backend"]
    at_size = sizes["audits"] >= TARGET_SIZES[backend]
    lines = [
        "| measurement | tally best (s) | tally median (s) | raw best (s) | raw median (s) "
        "| raw / tally | target (s) | met |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for t in timings:
        target = TARGETS.get((backend, t.key))
        met = "" if target is None else ("yes" if t.best <= target else "**no**")
        if target is not None and not at_size:
            met += " (target is at " + f"{TARGET_SIZES[backend]:,})"
        ref = (
            f"{t.reference_best:.3f} | {t.reference_median:.3f} | "
            f"{t.reference_median / t.median:.0f}x"
            if t.reference_best is not None and t.median == t.median and t.median > 0
            else "| |"
        )
        lines.append(
            f"| {t.label} | {t.best:.3f} | {t.median:.3f} | {ref} | "
            f"{'' if target is None else f'≤ {target}'} | {met} |"
        )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--database-url",
        default=os.environ.get("CAREAUDIT_BENCH_DATABASE_URL"),
        required="CAREAUDIT_BENCH_DATABASE_URL" not in os.environ,
    )
    parser.add_argument("--tool", default="children_audit")
    parser.add_argument("--quarter", default=QUARTER, help="a financial quarter, e.g. 2026-27-Q2")
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args(argv)
    timings, sizes = bench(args.database_url, args.tool, args.quarter, args.runs)
    problems = sizes.pop("problems")
    print(
        f"{sizes['backend']}: {sizes['audits']:,} audits, {sizes['answers']:,} answers, "
        f"{sizes['in quarter']:,} {args.tool} audits in {args.quarter}"
        + (f", {sizes['tally rows']:,} tally rows" if sizes["tally rows"] is not None else "")
    )
    print(table(timings, sizes))
    if problems:
        print(f"\nTHE TALLY DIFFERS FROM THE RAW COUNT ({len(problems)}):", file=sys.stderr)
        for problem in problems[:40]:
            print(f"  {problem}", file=sys.stderr)
        raise SystemExit(1)
    print("\nThe tally's figures equal the raw count's (section and trend).")


if __name__ == "__main__":
    main()
