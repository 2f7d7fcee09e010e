"""Benchmark: ``careaudit allocate`` for one month of the 150-team borough.

Issue 12's target: one month's allocation of the borough made by
bench/generate_borough.py in at most 5 s on SQLite and on PostgreSQL, with the
same allocation as before for the same seed, and no failure at any pool size
(``--large-pool``: a pool above 70,000 cases, more than PostgreSQL's 65,535
bind parameters).

For each database and seed, ``core.programme.allocation.allocate`` allocates
December 2026 (what ``careaudit allocate --period 2026-12 --seed N`` runs),
timed, with every SQL statement counted (a ``before_cursor_execute``
listener). The reference, measured in the same run before each seed: reading
every open case and each case's history (the two ``GROUP BY``s) through the
driver, the least an allocation that reads the whole borough could cost; the
ratio is allocate's seconds over it. The run's allocations are then deleted
(its run row and audit trail entry are kept), so the next seed starts from the
same borough.

The golden check: each run's allocation (rule, auditor, slot, case) and a hash
of its log are compared with bench/golden/allocation_borough.json, written by
the implementation before issue 12 (``--write-golden``: the row-by-row one, kept
in git history; its seeds 1-3 on the 30,000-case borough and, run on SQLite
because it fails on PostgreSQL, on the ``--large-pool`` one). The run fails
(exit status 1) on any difference. Prints a Markdown table for
docs/performance.md.

Run:
  .venv/bin/python bench/allocation_bench.py \\
      --database-url sqlite:////tmp/careaudit-bench-borough.sqlite3 \\
      --database-url postgresql://postgres@127.0.0.1:5432/careaudit_bench_borough
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("CAREAUDIT_INSTANCE_PATH", tempfile.mkdtemp(prefix="careaudit-bench-"))

from sqlalchemy import delete, event, func, select

from bench.generate_audits import make_app
from bench.generate_borough import PERIOD
from core.extensions import db
from core.models import Allocation, AllocationStatus, Audit, AuditStatus, Case
from core.programme import periods
from core.programme.allocation import allocate
from core.tools.registry import get_registry

GOLDEN = Path(__file__).resolve().parent / "golden" / "allocation_borough.json"
SEEDS = (1, 2, 3)
TARGET_SECONDS = 5.0
#: The issue's target is named for the 150-team borough's 30,000 open cases.
TARGET_CASES = 30000


def _borough_key() -> str:
    """The borough's size, so a golden file is only compared with the borough it came from
    (another ``--seed`` or ``--cases`` of bench/generate_borough.py is another borough)."""
    open_cases = db.session.scalar(
        select(func.count()).select_from(Case).where(Case.is_open.is_(True))
    )
    audits = db.session.scalar(select(func.count()).select_from(Audit))
    return f"{open_cases} open cases, {audits} audits"


def _reference() -> float:
    """Seconds to read what any allocation must: every open case and each case's history.

    Through the driver (no ORM, no draw, no writes): the least an allocation that reads
    the whole borough could cost on that database.
    """
    statements = (
        "SELECT id, reference, allocated_worker_id, team_id, service_id, category "
        "FROM case_file WHERE is_open",
        "SELECT case_id, max(audit_date) FROM audit "
        f"WHERE status = '{AuditStatus.SUBMITTED.value}' GROUP BY case_id",
        "SELECT case_id, max(due_date) FROM allocation "
        f"WHERE status <> '{AllocationStatus.WAIVED.value}' GROUP BY case_id",
    )
    with db.engine.connect() as connection:
        started = time.perf_counter()
        for statement in statements:
            connection.exec_driver_sql(statement).fetchall()
        return time.perf_counter() - started


def _measure(seed: int) -> dict[str, Any]:
    """Allocate the month with ``seed``; the time, statements, allocation and log's hash."""
    statements = [0]

    def count(*_: Any) -> None:
        statements[0] += 1

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        started = time.perf_counter()
        run = allocate(get_registry(), periods.month(PERIOD), seed=seed, started_by="bench")
        seconds = time.perf_counter() - started
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    made = [
        list(row)
        for row in db.session.execute(
            select(Allocation.rule_id, Allocation.auditor_id, Allocation.slot, Allocation.case_id)
            .where(Allocation.run_id == run.id)
            .order_by(Allocation.rule_id, Allocation.auditor_id, Allocation.slot)
        )
    ]
    log_hash = hashlib.sha256("\n".join(run.log).encode()).hexdigest()
    # Leave the borough as it was for the next seed (the run row and trail entry stay).
    db.session.execute(delete(Allocation).where(Allocation.run_id == run.id))
    db.session.commit()
    return {
        "seconds": seconds,
        "statements": statements[0],
        "allocated": run.allocated,
        "allocation": made,
        "log": log_hash,
    }


def bench(url: str, seeds: Sequence[int], golden: dict[str, Any], write: bool) -> list[str]:
    """Measure every seed on one database; returns its table rows (and fills ``golden``)."""
    app = make_app(url)
    rows: list[str] = []
    failures: list[str] = []
    with app.app_context():
        dialect = db.engine.dialect.name
        key = _borough_key()
        for seed in seeds:
            reference = _reference()
            try:
                result = _measure(seed)
            except Exception as error:  # the old implementation's failure at 65,535 cases
                db.session.rollback()
                message = str(error).splitlines()[0][:100]
                rows.append(f"| {dialect} | {key} | {seed} | failed: {message} | | | | | |")
                failures.append(f"{dialect} seed {seed}: {message}")
                continue
            expected = golden.get(key, {}).get(str(seed))
            if write and expected is None:
                # The first database writes; any other compares (SQLite and PostgreSQL agree).
                golden.setdefault(key, {})[str(seed)] = {
                    "allocation": result["allocation"],
                    "log": result["log"],
                }
                same = "written"
            elif expected is None:
                same = "no golden"
            elif expected == {"allocation": result["allocation"], "log": result["log"]}:
                same = "identical"
            else:
                same = "DIFFERENT"
                failures.append(f"{dialect} seed {seed}: allocation differs from the golden file")
            verdict = (
                "no target at this size"
                if not key.startswith(f"{TARGET_CASES} open cases")
                else "met"
                if result["seconds"] <= TARGET_SECONDS
                else "missed"
            )
            rows.append(
                f"| {dialect} | {key} | {seed} | {result['seconds']:.2f} s ({verdict}) "
                f"| {reference:.2f} | {result['seconds'] / reference:.1f}x "
                f"| {result['statements']:,} | {result['allocated']:,} | {same} |"
            )
        db.session.remove()
        db.engine.dispose()
    for failure in failures:
        print(f"FAILED: {failure}", file=sys.stderr)
    return rows if not failures else [*rows, "FAILED"]


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--database-url",
        action="append",
        required=True,
        help="a database made by bench/generate_borough.py; give it once for each database",
    )
    parser.add_argument("--seed", type=int, action="append", help=f"default {SEEDS}")
    parser.add_argument(
        "--write-golden",
        action="store_true",
        help="record allocations not in the golden file yet (the implementation to match)",
    )
    args = parser.parse_args(argv)
    golden: dict[str, Any] = json.loads(GOLDEN.read_text()) if GOLDEN.exists() else {}
    table = [
        f"| Database | Borough | Seed | allocate {PERIOD} (target {TARGET_SECONDS:g} s) "
        "| reference (s) | ratio | SQL statements | Allocated | Against the golden file |",
        "|---|---|---:|---:|---:|---:|---:|---:|---|",
    ]
    failed = False
    for url in args.database_url:
        rows = bench(url, args.seed or SEEDS, golden, args.write_golden)
        failed = failed or rows[-1:] == ["FAILED"]
        table += [row for row in rows if row != "FAILED"]
    if args.write_golden:
        GOLDEN.parent.mkdir(exist_ok=True)
        GOLDEN.write_text(json.dumps(golden, indent=None, sort_keys=True) + "\n")
        print(f"golden allocations written to {GOLDEN}")
    print("\n".join(table))
    if failed:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
