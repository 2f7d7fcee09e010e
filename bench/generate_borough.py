"""Generate a synthetic 150-team borough ready for ``careaudit allocate``, at any size.

For the allocation benchmark (bench/allocation_bench.py, issue 12): the council
of bench/generate_audits.py (15 services of 10 teams, a team manager, a deputy
and 8 social workers in each team, so 1,200 social workers; a manager per
service, 30 independent reviewers, 6 senior managers), with:

- ``--cases`` open case files (30,000 by default), two in three children's,
  each held by a worker of its team, and a quarter as many closed ones;
- the report's default audit rules, as ``careaudit demo`` and
  ``careaudit default-rules`` set them (``core.programme.rules.default_rules``);
- 18 months of submitted audits of about one case in three, so the 12-month
  exclusion removes cases from every pool, and some social workers' work not
  audited for more than 6 months, so the coverage rule has someone to put first;
- the last three months' allocations by those rules (some waived), so earlier
  allocations count in a case's history too.

``--large-pool`` makes 108,000 open cases: the independent reviewers' pool
(every children's case) is then above 70,000, more than PostgreSQL's 65,535
bind parameters in one statement.

Everything is synthetic and drawn from ``--seed``. Rows are written in bulk
(``executemany``) after the app's migrations; the tables are analysed last.

Run:
  .venv/bin/python bench/generate_borough.py --replace \\
      --database-url sqlite:////tmp/careaudit-bench-borough.sqlite3
  .venv/bin/python bench/generate_borough.py --replace --large-pool \\
      --database-url postgresql://postgres@127.0.0.1:5432/careaudit_bench_borough_large
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("CAREAUDIT_INSTANCE_PATH", tempfile.mkdtemp(prefix="careaudit-bench-"))

from flask_migrate import upgrade
from sqlalchemy import insert, inspect, select, text

from bench.generate_audits import _analyse, _organisation, audit_columns, make_app
from core.config import normalise_database_url
from core.extensions import db
from core.models import (
    Allocation,
    AllocationStatus,
    Audit,
    AuditRule,
    AuditStatus,
    Case,
    CaseCategory,
    Role,
    User,
)
from core.programme.rules import default_rules
from core.testing.database import ensure_database
from core.tools.registry import get_registry

#: The month the benchmark allocates; the history is the 18 months before it.
PERIOD = "2026-12"
HISTORY_START = date(2025, 6, 1)
HISTORY_END = date(2026, 11, 30)
OPEN_CASES = 30_000
LARGE_POOL_CASES = 108_000  # 72,000 children's: the reviewers' pool is above 70,000
#: One open case in this many has a submitted audit in the 18 months.
AUDITED_SHARE = 0.35
#: Social workers whose cases nobody audited in the last 8 months (the coverage rule).
UNCOVERED_WORKERS = 0.15
HISTORY_MONTHS = ("2026-09", "2026-10", "2026-11")
CHUNK = 10_000


def _fresh_database(url: str, replace: bool) -> None:
    """Create the database if needed; refuse one with tables in it unless ``replace``."""
    url = normalise_database_url(url)
    if url.startswith("postgresql"):
        ensure_database(url)
    app = make_app(url)
    with app.app_context():
        tables = inspect(db.engine).get_table_names()
        if tables and not replace:
            raise SystemExit(
                f"{url} already has tables ({len(tables)}); give --replace to empty it first"
            )
        if tables and db.engine.dialect.name == "postgresql":
            db.session.execute(text("DROP SCHEMA public CASCADE"))
            db.session.execute(text("CREATE SCHEMA public"))
            db.session.commit()
        db.session.remove()
        db.engine.dispose()
        if tables and db.engine.dialect.name == "sqlite":
            Path(db.engine.url.database or "").unlink()


def _write(model: Any, rows: list[dict[str, Any]]) -> None:
    """Insert in chunks: bounded memory, and SQLite's and psycopg's limits kept."""
    for start in range(0, len(rows), CHUNK):
        db.session.execute(insert(model), rows[start : start + CHUNK])
    db.session.commit()


def _cases(rng: random.Random, organisation: dict[str, Any], open_cases: int) -> list[tuple]:
    """Open and closed case files; returns the open ones as (id, tool, service, team, worker)."""
    users = organisation["users"]
    rows: list[dict[str, Any]] = []
    total = open_cases + open_cases // 4
    for number in range(total):
        code = "children" if number % 3 else "adults"
        team_id, service_id = rng.choice(organisation["teams"][code])
        category = rng.choice(CaseCategory.for_directorate(code))
        is_open = number < open_cases
        opened = HISTORY_END - timedelta(days=rng.randint(30, 2500))
        rows.append(
            {
                "reference": f"{'C' if code == 'children' else 'A'}{number + 1:07d}",
                "initials": "".join(rng.choice("ABCDEFGHJKLMNPRSTW") for _ in range(2)),
                "service_id": service_id,
                "team_id": team_id,
                "allocated_worker_id": rng.choice(users[(Role.SOCIAL_WORKER, team_id)]),
                "category": category.value,
                "listed_category": category.value,
                "is_open": is_open,
                "opened_on": opened,
                "closed_on": None if is_open else opened + timedelta(days=rng.randint(20, 900)),
            }
        )
    rng.shuffle(rows)  # open and closed cases interleaved by id, as in a real system
    _write(Case, rows)
    return [
        (
            row.id,
            "children_audit" if row.reference.startswith("C") else "adult_audit",
            row.service_id,
            row.team_id,
            row.allocated_worker_id,
            row.category,
        )
        for row in db.session.execute(
            select(
                Case.id,
                Case.reference,
                Case.service_id,
                Case.team_id,
                Case.allocated_worker_id,
                Case.category,
            )
            .where(Case.is_open.is_(True))
            .order_by(Case.id)
        )
    ]


def _audits(
    rng: random.Random, organisation: dict[str, Any], cases: list[tuple], versions: dict[str, str]
) -> int:
    """Submitted audits of about a third of the open cases, over the 18 months."""
    users = organisation["users"]
    workers = sorted({case[4] for case in cases})
    uncovered = set(rng.sample(workers, int(len(workers) * UNCOVERED_WORKERS)))
    reviewers = users[(Role.INDEPENDENT_REVIEWER, None)]
    own, constants = audit_columns()
    span = (HISTORY_END - HISTORY_START).days
    rows: list[dict[str, Any]] = []
    for case_id, tool, service_id, team_id, worker_id, category in cases:
        if rng.random() >= AUDITED_SHARE:
            continue
        latest = (
            HISTORY_START + timedelta(days=span)
            if worker_id not in uncovered
            else date(2026, 3, 31)
        )
        day = HISTORY_START + timedelta(days=rng.randint(0, (latest - HISTORY_START).days))
        independent = tool == "children_audit" and rng.random() < 0.3
        auditor = (
            rng.choice(reviewers)
            if independent
            else rng.choice(users[(Role.TEAM_MANAGER, team_id)])
        )
        moment = datetime(day.year, day.month, day.day, rng.randint(9, 17), rng.randrange(60))
        values = {
            "tool": tool,
            "form_version": versions[tool],
            "case_id": case_id,
            "subject_user_id": None,
            "facts": {},
            "service_id": service_id,
            "team_id": team_id,
            "auditor_id": auditor,
            "worker_id": worker_id,
            "kind": "independent" if independent else "line_management",
            "status": AuditStatus.SUBMITTED.value,
            "audit_date": day,
            "created_at": moment - timedelta(days=2),
            "updated_at": moment,
            "submitted_at": moment,
            "version": 1,
            "request_token": None,
            "category": category,
        }
        rows.append({k: v for k, v in values.items() if k in own} | constants)
    _write(Audit, rows)
    return len(rows)


def _allocations(rng: random.Random, cases: list[tuple]) -> int:
    """The last three months' team manager allocations by the rules, one in ten waived."""
    rules = {
        (rule.service_id, rule.auditor_role): rule
        for rule in db.session.scalars(select(AuditRule).where(AuditRule.active.is_(True)))
    }
    managers = db.session.execute(
        select(User.id, User.team_id).where(User.role == Role.TEAM_MANAGER).order_by(User.id)
    ).all()
    by_team: dict[int, list[tuple]] = {}
    for case in cases:
        by_team.setdefault(case[3], []).append(case)
    service_of = {case[3]: case[2] for case in cases}
    rows: list[dict[str, Any]] = []
    for period in HISTORY_MONTHS:
        year, month = (int(part) for part in period.split("-"))
        end = (date(year, month, 28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
        for manager_id, team_id in managers:
            rule = rules.get((service_of.get(team_id), Role.TEAM_MANAGER))
            if rule is None or team_id not in by_team:
                continue
            for slot, case in enumerate(rng.sample(by_team[team_id], 3), start=1):
                waived = rng.random() < 0.1
                rows.append(
                    {
                        "period": period,
                        "rule_id": rule.id,
                        "run_id": None,
                        "auditor_id": manager_id,
                        "slot": slot,
                        "case_id": case[0],
                        "tool": case[1],
                        "kind": "line_management",
                        "due_date": end,
                        "status": (
                            AllocationStatus.WAIVED if waived else AllocationStatus.ALLOCATED
                        ).value,
                    }
                )
    # Two managers in a team can draw one case in a month: the constraint keeps the first.
    seen: set[tuple] = set()
    unique = []
    for row in rows:
        key = (row["period"], row["tool"], row["case_id"])
        if key not in seen:
            seen.add(key)
            unique.append(row)
    _write(Allocation, unique)
    return len(unique)


def generate(url: str, open_cases: int, seed: int, replace: bool) -> dict[str, Any]:
    """Build the borough in a new database; returns what was made and how long it took."""
    started = time.perf_counter()
    _fresh_database(url, replace)
    app = make_app(url)
    with app.app_context():
        upgrade()  # the schema is the migrations', as `careaudit db upgrade` builds it
        rng = random.Random(seed)
        registry = get_registry()
        organisation = _organisation(registry)
        rules = default_rules(registry)
        db.session.commit()
        cases = _cases(rng, organisation, open_cases)
        versions = {
            slug: registry.get(slug).version  # type: ignore[union-attr]
            for slug in ("children_audit", "adult_audit")
        }
        audits = _audits(rng, organisation, cases, versions)
        allocations = _allocations(rng, cases)
        _analyse()
        db.session.remove()
        db.engine.dispose()
    return {
        "open cases": len(cases),
        "rules": len(rules),
        "audits": audits,
        "allocations": allocations,
        "seconds": time.perf_counter() - started,
    }


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--database-url",
        default=os.environ.get("CAREAUDIT_BENCH_DATABASE_URL"),
        required="CAREAUDIT_BENCH_DATABASE_URL" not in os.environ,
        help="sqlite:////path/bench.sqlite3 or postgresql://postgres@127.0.0.1:5432/name",
    )
    parser.add_argument("--cases", type=int, default=OPEN_CASES, help="open case files")
    parser.add_argument(
        "--large-pool",
        action="store_true",
        help=f"{LARGE_POOL_CASES:,} open cases: a reviewers' pool above 70,000",
    )
    parser.add_argument("--seed", type=int, default=12)
    parser.add_argument(
        "--replace", action="store_true", help="empty the database first if it has tables"
    )
    args = parser.parse_args(argv)
    open_cases = LARGE_POOL_CASES if args.large_pool else args.cases
    result = generate(args.database_url, open_cases, args.seed, args.replace)
    print(
        f"{result['open cases']:,} open cases, {result['rules']} rules, "
        f"{result['audits']:,} audits, {result['allocations']:,} earlier allocations "
        f"in {result['seconds']:.1f} s"
    )


if __name__ == "__main__":
    main()
