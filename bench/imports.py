"""Benchmark: how long the imports take at a large council's size.

Targets (issue 7): a case list of 100,000 rows in under 60 seconds, and a CIN
census of 50,000 children in under 90 seconds, on SQLite and PostgreSQL on the
project's 2-core machine. Machines here are shared and noisy, so each import
is also set against a reference measured in the same run: the bare cost of
reading the same file and inserting the same number of rows with one
``executemany`` (no checks, no history, no upsert). The ratio is what to watch
from run to run; the seconds are what the targets name.

Run:  .venv/bin/python bench/imports.py [--postgresql URL] [--cases 100000] [--children 50000]
Prints a Markdown table for docs/performance.md.
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import random
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("CAREAUDIT_INSTANCE_PATH", tempfile.mkdtemp(prefix="careaudit-bench-"))

from flask_migrate import upgrade
from sqlalchemy import text

from core import create_app
from core.cases.categories import ensure_defaults
from core.extensions import db
from core.imports.plan import ImportFileData
from core.imports.runner import run_import
from core.imports.synthetic import (
    CASE_LIST_COLUMNS,
    CASE_LIST_VALUES,
    CaseRow,
    CensusChild,
    CensusReferral,
    StaffRow,
    case_list_csv,
    case_list_xlsx,
    census_xml,
    staff_csv,
)
from core.models import ColumnMapping, ImportKind, ImportStatus, Service, Team

TEAMS = 150
WORKERS_PER_TEAM = 8
TODAY = date(2026, 12, 1)
CATEGORIES = ["child_in_need", "child_protection", "looked_after", "care_leaver"]


def _app(url: str):
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "bench",
            "SQLALCHEMY_DATABASE_URI": url,
            "LOAD_ENTRY_POINT_TOOLS": False,
            "PASSWORD_HASH_FAST": True,
            "IMPORT_MAX_BYTES": 1 << 30,
        }
    )
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            db.session.execute(text("DROP SCHEMA public CASCADE"))
            db.session.execute(text("CREATE SCHEMA public"))
            db.session.commit()
        upgrade()
    return app


def _organisation(rng: random.Random) -> tuple[list[str], dict[str, list[str]]]:
    """150 teams in 15 services with 8 workers each, imported from a staff file."""
    directorate = ensure_defaults()["children"]
    teams: list[str] = []
    for s in range(15):
        service = Service(name=f"Service {s:02d}", directorate=directorate)
        db.session.add(service)
        for t in range(TEAMS // 15):
            name = f"Team {s:02d}-{t:02d}"
            db.session.add(Team(name=name, service=service))
            teams.append(name)
    db.session.commit()
    staff, workers = [], {}
    for team in teams:
        workers[team] = []
        for w in range(WORKERS_PER_TEAM):
            email = f"sw.{team.replace(' ', '').lower()}.{w}@bench.example"
            staff.append(
                StaffRow(f"B{len(staff):06d}", email, f"Worker {len(staff)}", "Social worker", team)
            )
            workers[team].append(email)
    run = run_import(
        ImportKind.STAFF,
        [ImportFileData("file", "staff.csv", staff_csv(staff))],
        {},
        started_by="bench",
    )
    assert run.status is ImportStatus.IMPORTED, (run.error, run.problems[:3])
    db.session.add(ColumnMapping(name="bench", columns=CASE_LIST_COLUMNS, values=CASE_LIST_VALUES))
    db.session.commit()
    return teams, workers


def _case_rows(rng: random.Random, n: int, teams, workers) -> list[CaseRow]:
    rows = []
    for i in range(n):
        team = teams[i % len(teams)]
        is_open = rng.random() < 0.8
        opened = TODAY - timedelta(days=rng.randint(10, 2000))
        rows.append(
            CaseRow(
                reference=f"C{i:07d}",
                initials="".join(rng.choice("ABCDEFGHJKLMNPRSTW") for _ in range(2)),
                team=team,
                worker_email=rng.choice(workers[team]),
                category=rng.choice(CATEGORIES),
                is_open=is_open,
                opened_on=opened,
                closed_on=None if is_open else opened + timedelta(days=rng.randint(1, 9)),
            )
        )
    return rows


def _children(rng: random.Random, n: int) -> list[CensusChild]:
    children = []
    for i in range(n):
        born = TODAY - timedelta(days=rng.randint(100, 17 * 365))
        referrals = []
        day = born + timedelta(days=rng.randint(30, 400))
        for _ in range(rng.choice([1, 1, 2, 3])):
            if day >= TODAY:
                break
            closed = day + timedelta(days=rng.randint(5, 200))
            referral = CensusReferral(
                day,
                closure_date=closed if closed < TODAY else None,
                closure_reason="RC8" if closed < TODAY else None,
            )
            if rng.random() < 0.1:
                referral.plans.append((day + timedelta(days=20), None))
            referrals.append(referral)
            day = closed + timedelta(days=rng.randint(10, 500))
        children.append(CensusChild(f"C{i:07d}", born, referrals or [CensusReferral(TODAY)]))
    return children


def _timed(label: str, function):
    start = time.perf_counter()
    result = function()
    seconds = time.perf_counter() - start
    print(f"  {label}: {seconds:.1f} s", file=sys.stderr)
    return result, seconds


def _reference(content: bytes, rows: int) -> float:
    """Reading the file and inserting as many rows with one executemany: the floor."""
    db.session.execute(
        text(
            "CREATE TABLE bench_floor (reference VARCHAR(40), team VARCHAR(120), "
            "worker VARCHAR(254), category VARCHAR(40), opened VARCHAR(10))"
        )
    )
    db.session.commit()
    start = time.perf_counter()
    reader = csv.reader(io.StringIO(content.decode("utf-8")))
    next(reader)
    values = [{"r": r[0], "t": r[2], "w": r[3], "c": r[4], "o": r[6]} for r in reader]
    db.session.execute(text("INSERT INTO bench_floor VALUES (:r, :t, :w, :c, :o)"), values)
    db.session.commit()
    seconds = time.perf_counter() - start
    db.session.execute(text("DROP TABLE bench_floor"))
    db.session.commit()
    assert len(values) == rows
    return seconds


def bench(backend: str, url: str, cases: int, children: int) -> list[tuple]:
    print(f"{backend}:", file=sys.stderr)
    rng = random.Random(7)
    app = _app(url)
    results = []
    with app.app_context():
        teams, workers = _organisation(rng)
        case_rows = _case_rows(rng, cases, teams, workers)
        content = case_list_csv(case_rows)
        reference = _reference(content, cases)
        print(
            f"  reference (read + executemany {cases:,} rows): {reference:.1f} s", file=sys.stderr
        )

        def case_import(name: str, data: bytes):
            run = run_import(
                ImportKind.CASES,
                [ImportFileData("file", name, data)],
                {"mapping": "bench", "full": True},
                started_by="bench",
            )
            assert run.status is ImportStatus.IMPORTED, (run.error, run.problems[:3])
            return run

        run, first = _timed("case list, first import", lambda: case_import("cases.csv", content))
        results.append(
            (backend, f"case list, {cases:,} rows, first import", first, reference, 60, run.counts)
        )
        run, again = _timed("case list, same file again", lambda: case_import("cases.csv", content))
        assert run.counts.get("created", 0) == 0 and run.counts.get("updated", 0) == 0
        results.append(
            (backend, f"case list, {cases:,} rows, unchanged", again, reference, 60, run.counts)
        )
        # A night's changes: 5% reallocated within the team.
        for i in range(0, cases, 20):
            row = case_rows[i]
            other = next(w for w in workers[row.team] if w != row.worker_email)
            case_rows[i] = CaseRow(
                row.reference,
                row.initials,
                row.team,
                other,
                row.category,
                row.is_open,
                row.opened_on,
                row.closed_on,
            )
        changed = case_list_csv(case_rows)
        run, nightly = _timed("case list, 5% reallocated", lambda: case_import("c2.csv", changed))
        results.append(
            (
                backend,
                f"case list, {cases:,} rows, 5% reallocated",
                nightly,
                reference,
                60,
                run.counts,
            )
        )
        # The same rows as an Excel workbook (title row, blank row, then the table).
        workbook = case_list_xlsx(case_rows)
        run, xlsx = _timed("case list as XLSX", lambda: case_import("cases.xlsx", workbook))
        results.append(
            (backend, f"case list, {cases:,} rows, as XLSX", xlsx, reference, 60, run.counts)
        )

        census = census_xml(TODAY, _children(rng, children))
        run, seconds = _timed(
            "CIN census",
            lambda: run_import(
                ImportKind.CIN_CENSUS,
                [ImportFileData("file", "census.xml", census)],
                {},
                started_by="bench",
            ),
        )
        assert run.status is ImportStatus.IMPORTED, (run.error, run.problems[:3])
        results.append(
            (backend, f"CIN census, {children:,} children", seconds, reference, 90, run.counts)
        )
        db.session.remove()
        db.engine.dispose()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--postgresql",
        default=os.environ.get("CAREAUDIT_BENCH_POSTGRESQL"),
        help="e.g. postgresql+psycopg://postgres@127.0.0.1:5432/careaudit_bench",
    )
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--children", type=int, default=50_000)
    args = parser.parse_args()
    results = []
    with tempfile.TemporaryDirectory() as folder:
        results += bench("SQLite", f"sqlite:///{folder}/bench.sqlite3", args.cases, args.children)
    if args.postgresql:
        from tests.conftest import _ensure_database

        _ensure_database(args.postgresql)
        results += bench("PostgreSQL", args.postgresql, args.cases, args.children)
    print("| database | import | seconds | target | reference (s) | ratio to reference | counts |")
    print("|---|---|---|---|---|---|---|")
    for backend, label, seconds, reference, target, counts in results:
        shown = ", ".join(f"{k} {v:,}" for k, v in counts.items() if v)
        print(
            f"| {backend} | {label} | {seconds:.1f} | < {target} | {reference:.1f} | "
            f"{seconds / reference:.1f}x | {shown} |"
        )


if __name__ == "__main__":
    main()
