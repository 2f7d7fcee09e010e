"""Generate a synthetic council's audits in careaudit's own schema, at any size.

For the report benchmark (bench/report_bench.py, issue 10): a council of 150
teams in 15 services, about 1,550 staff, 30,000 case files, and as many
submitted audits as asked (``--audits 100000`` or ``1000000``) of the built-in
tools (children's, adults' and supervision), spread over the financial years
from April 2023 to November 2026.

Everything is synthetic. The answers are the tools' own: a pool of answer sets
per tool and case category is drawn once through the registry's
``careaudit_demo_answers`` hook and scored through ``careaudit_score_audit``
(so the keys, comments, overall ratings and grades are the tools', never typed
here), then each audit takes one from its pool, better ones more often as the
years go by so that trends have something to show. Line management audits are
most of them, then independent ones; a few self-audits and senior samples.

The database must be new (or ``--replace`` given): the app's migrations are run
first, as ``careaudit db upgrade`` would, then rows are written in bulk
(PostgreSQL: ``COPY`` through psycopg, foreign-key triggers off for the load;
SQLite: ``executemany`` in large transactions with journalling off), and last
the report summary is rebuilt (``core.reports.summary.rebuild``, what
``careaudit reports rebuild`` runs) and the tables analysed.

Run:
  .venv/bin/python bench/generate_audits.py --audits 100000 \\
      --database-url sqlite:////tmp/careaudit-bench-100k.sqlite3
  .venv/bin/python bench/generate_audits.py --audits 1000000 \\
      --database-url postgresql://postgres@127.0.0.1:5432/careaudit_bench1m
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("CAREAUDIT_INSTANCE_PATH", tempfile.mkdtemp(prefix="careaudit-bench-"))

from flask import Flask
from flask_migrate import upgrade
from sqlalchemy import insert, inspect, select, text

from core import create_app
from core.audits.workflow import record_outcome
from core.cases.categories import ensure_defaults
from core.config import normalise_database_url
from core.extensions import db
from core.models import (
    Audit,
    AuditKind,
    AuditStatus,
    Case,
    CaseCategory,
    Directorate,
    Role,
    Service,
    Team,
    User,
)
from core.passwords import hash_password
from core.tools.questions import AuditSubject
from core.tools.registry import get_registry

#: The password of every generated account (the benchmark signs in with it).
PASSWORD = "bench password 2026"
SENIOR_MANAGER = "senior.manager@bench.example"
FIRST_MONTH = date(2023, 4, 1)  # three whole financial years, then this one so far
LAST_MONTH = date(2026, 11, 1)
SERVICES = {"children": 10, "adults": 5}
TEAMS_PER_SERVICE = 10
WORKERS_PER_TEAM = 8
CASES = 30_000
REVIEWERS = 30
SENIOR_MANAGERS = 6
POOL = 300  # answer sets per tool and category
#: Share of each tool among the audits, and of each kind within a tool.
TOOLS = {"children_audit": 0.58, "adult_audit": 0.30, "supervision_audit": 0.12}
KINDS = {
    "case": {
        AuditKind.LINE_MANAGEMENT: 0.62,
        AuditKind.INDEPENDENT: 0.30,
        AuditKind.SELF_AUDIT: 0.04,
        AuditKind.SENIOR_SAMPLE: 0.04,
    },
    "staff": {AuditKind.LINE_MANAGEMENT: 0.8, AuditKind.INDEPENDENT: 0.2},
}
CHUNK = 20_000  # audits per COPY / transaction: bounded memory at any size


@dataclass(frozen=True)
class Pooled:
    """One answer set, ready to write: outcome columns and answer rows."""

    quality: float
    outcome: tuple[str | None, str | None, str | None, str | None]
    answers: tuple[tuple[str, str | None, str | None, str | None], ...]
    #: The answers as PostgreSQL COPY text after the two ids ("\tquestion\t...\n").
    copy_tails: tuple[str, ...]


def _copy_value(value: Any) -> str:
    """A value in COPY's text format: \\N for NULL; backslash, tab and newlines escaped."""
    if value is None:
        return "\\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, (dict, list)):
        value = json.dumps(value)
    text_value = str(value)
    return (
        text_value.replace("\\", "\\\\")
        .replace("\t", "\\t")
        .replace("\n", "\\n")
        .replace("\r", "\\r")
    )


def make_app(url: str) -> Flask:
    return create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "bench",
            "SQLALCHEMY_DATABASE_URI": normalise_database_url(url),
            "LOAD_ENTRY_POINT_TOOLS": False,
            "PASSWORD_HASH_FAST": True,
            "WTF_CSRF_ENABLED": False,
            "RATELIMIT_ENABLED": False,
            "MFA_ENFORCED": False,
            "MAIL_BACKEND": "locmem",
        }
    )


def _fresh_database(url: str, replace: bool) -> None:
    """Create the database if needed; refuse one with tables in it unless ``replace``."""
    url = normalise_database_url(url)
    if url.startswith("postgresql"):
        from core.testing.database import ensure_database

        ensure_database(url)
    app = make_app(url)
    with app.app_context():
        tables = inspect(db.engine).get_table_names()
        if tables and not replace:
            raise SystemExit(
                f"{url} already has tables ({len(tables)}); give --replace to empty it first"
            )
        if tables:
            if db.engine.dialect.name == "postgresql":
                db.session.execute(text("DROP SCHEMA public CASCADE"))
                db.session.execute(text("CREATE SCHEMA public"))
                db.session.commit()
            else:
                db.session.remove()
                db.engine.dispose()
                Path(db.engine.url.database or "").unlink()
        db.session.remove()
        db.engine.dispose()


def _organisation(registry: Any) -> dict[str, Any]:
    """Directorates, 15 services of 10 teams, staff in every role, tools switched on."""
    directorates = ensure_defaults()
    password_hash = hash_password(PASSWORD)
    users: list[dict[str, Any]] = []
    teams_by_directorate: dict[str, list[Team]] = {}
    for code, count in SERVICES.items():
        teams_by_directorate[code] = []
        for s in range(count):
            service = Service(name=f"{code.capitalize()} service {s + 1:02d}")
            service.directorate = directorates[code]
            db.session.add(service)
            for t in range(TEAMS_PER_SERVICE):
                team = Team(name=f"{code.capitalize()} team {s + 1:02d}-{t + 1:02d}")
                team.service = service
                db.session.add(team)
                teams_by_directorate[code].append(team)
    db.session.flush()

    def person(email: str, name: str, role: Role, team_id: int | None = None, **extra: Any):
        users.append(
            {
                "email": email,
                "staff_id": f"B{len(users) + 1:06d}",
                "name": name,
                "role": role,
                "team_id": team_id,
                "service_id": extra.get("service_id"),
                "password_hash": password_hash,
                "active": True,
            }
        )

    for teams in teams_by_directorate.values():
        for team in teams:
            slug = team.name.lower().replace(" ", ".")
            person(
                f"tm.{slug}@bench.example", f"Manager of {team.name}", Role.TEAM_MANAGER, team.id
            )
            person(
                f"dtm.{slug}@bench.example",
                f"Deputy of {team.name}",
                Role.DEPUTY_TEAM_MANAGER,
                team.id,
            )
            for w in range(WORKERS_PER_TEAM):
                person(
                    f"sw{w + 1}.{slug}@bench.example",
                    f"Worker {w + 1} of {team.name}",
                    Role.SOCIAL_WORKER,
                    team.id,
                )
    for service in db.session.scalars(select(Service).order_by(Service.id)):
        slug = service.name.lower().replace(" ", ".")
        person(
            f"sm.{slug}@bench.example",
            f"Manager of {service.name}",
            Role.SERVICE_MANAGER,
            service_id=service.id,
        )
    for r in range(REVIEWERS):
        person(f"iro{r + 1}@bench.example", f"Reviewer {r + 1}", Role.INDEPENDENT_REVIEWER)
    for s in range(SENIOR_MANAGERS):
        email = SENIOR_MANAGER if s == 0 else f"senior{s + 1}@bench.example"
        person(email, f"Senior manager {s + 1}", Role.SENIOR_MANAGER)
    person("analyst@bench.example", "Analyst", Role.PERFORMANCE_ANALYST)
    person("admin@bench.example", "Administrator", Role.ADMINISTRATOR)
    db.session.execute(insert(User), users)
    # Plain (team id, service id) pairs, not ORM objects: reading an expired object
    # later would open a transaction that stays idle through the whole load.
    places = {code: [(t.id, t.service_id) for t in ts] for code, ts in teams_by_directorate.items()}

    # Tools on where they belong, as an administrator would set them (as the demo does).
    for tool in registry.all():
        if not tool.default_on:
            continue
        for service in db.session.scalars(
            select(Service).join(Directorate).where(Directorate.code.in_(tool.directorates))
        ):
            registry.set_switch(tool.slug, service.id, True)
    db.session.commit()

    by_role: dict[tuple[Role, int | None], list[int]] = {}
    for user_id, role, team_id in db.session.execute(select(User.id, User.role, User.team_id)):
        by_role.setdefault((role, team_id), []).append(user_id)
    return {"teams": places, "users": by_role}


def _cases(rng: random.Random, organisation: dict[str, Any]) -> dict[str, list[tuple]]:
    """30,000 case files, two in three children's, each with its team's worker."""
    users = organisation["users"]
    rows: list[dict[str, Any]] = []
    for number in range(CASES):
        code = "children" if number % 3 else "adults"
        team_id, service_id = rng.choice(organisation["teams"][code])
        category = rng.choice(CaseCategory.for_directorate(code))
        is_open = rng.random() < 0.8
        opened = LAST_MONTH - timedelta(days=rng.randint(30, 2500))
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
    db.session.execute(insert(Case), rows)
    db.session.commit()
    cases: dict[str, list[tuple]] = {"children": [], "adults": []}
    for row in db.session.execute(
        select(
            Case.id, Case.service_id, Case.team_id, Case.allocated_worker_id, Case.category
        ).order_by(Case.id)
    ):
        code = CaseCategory(row.category).directorate_code
        cases[code].append(tuple(row))
    return cases


def _pools(rng: random.Random, registry: Any) -> dict[tuple[str, str | None], list[Pooled]]:
    """Answer sets per (tool, case category), from the tools' own demo answers and scoring.

    Each pool is sorted worst first (share of applicable answers Met), so an
    index drawn towards the end is a better audit.
    """
    pools: dict[tuple[str, str | None], list[Pooled]] = {}
    plan: list[tuple[str, str | None]] = [
        ("children_audit", c.value) for c in CaseCategory.for_directorate("children")
    ]
    plan += [("adult_audit", c.value) for c in CaseCategory.for_directorate("adults")]
    plan += [("supervision_audit", None)]
    for slug, category in plan:
        if slug not in registry:
            raise SystemExit(f"the tool {slug!r} is not installed")
        case = Case(reference="BENCH", category=category) if category else None
        subject = AuditSubject(kind="case", case=case) if case else AuditSubject(kind="staff")
        form = registry.form(slug, case, None, subject=subject)
        entries = []
        for _ in range(POOL):
            answers = registry.demo_answers(slug, case, rng, None)
            score = registry.score(slug, answers, None)
            if score is not None and score.derived:
                answers = {**answers, **score.derived}
            unknown = [key for key in answers if not form.has(key)]
            if unknown:
                raise SystemExit(f"{slug} answered questions its form does not have: {unknown}")
            outcome = SimpleNamespace()
            record_outcome(outcome, score)  # the app's own copy of the score onto the audit
            rows = tuple(
                (key, a.rating.value if a.rating else None, a.value, a.comment)
                for key, a in answers.items()
            )
            rated = [r for _, r, _, _ in rows if r and r != "not_applicable"]
            entries.append(
                Pooled(
                    quality=(sum(r == "met" for r in rated) + 0.5 * rated.count("partially_met"))
                    / max(len(rated), 1),
                    outcome=tuple(
                        getattr(outcome, name, None)
                        for name in (
                            "suggested_rating",
                            "suggested_grade",
                            "overall_rating",
                            "grade",
                        )
                    ),  # type: ignore[arg-type]
                    answers=rows,
                    copy_tails=tuple(
                        "\t" + "\t".join(_copy_value(v) for v in row) + "\n" for row in rows
                    ),
                )
            )
        entries.sort(key=lambda e: e.quality)
        pools[(slug, category)] = entries
    return pools


def _month_weights(rng: random.Random) -> list[tuple[date, float]]:
    """Each month and its share of the audits: slowly growing, a little noisy."""
    months = []
    day = FIRST_MONTH
    while day <= LAST_MONTH:
        months.append(day)
        day = (day + timedelta(days=32)).replace(day=1)
    weights = [(1 + 0.4 * i / len(months)) * rng.uniform(0.9, 1.1) for i in range(len(months))]
    total = sum(weights)
    return [(m, w / total) for m, w in zip(months, weights, strict=True)]


def audit_columns() -> tuple[list[str], dict[str, Any]]:
    """The audit table's columns this generator writes, and constants for any others.

    Columns a later migration adds are filled from the model's scalar default,
    or left NULL where nullable, or to the server's default: so the generator
    keeps working as the schema grows, and says so if it cannot.
    """
    own = [
        "id", "tool", "form_version", "case_id", "subject_user_id", "facts", "service_id",
        "team_id", "auditor_id", "worker_id", "kind", "status", "audit_date", "created_at",
        "updated_at", "submitted_at", "version", "request_token", "suggested_rating",
        "suggested_grade", "overall_rating", "grade",
    ]  # fmt: skip
    if "category" in Audit.__table__.c:
        own.append("category")  # the case's category, copied on the audit (issue 10)
    constants: dict[str, Any] = {}
    for column in Audit.__table__.c:
        if column.name in own:
            continue
        if column.default is not None and getattr(column.default, "is_scalar", False):
            constants[column.name] = column.default.arg
        elif column.server_default is not None:
            continue
        elif column.nullable:
            constants[column.name] = None
        else:
            raise SystemExit(f"audit.{column.name} needs a value this generator does not know")
    return own, constants


def _audits(
    rng: random.Random,
    total: int,
    organisation: dict[str, Any],
    cases: dict[str, list[tuple]],
    pools: dict[tuple[str, str | None], list[Pooled]],
    versions: dict[str, str],
) -> Iterator[tuple[list[tuple], list[Pooled]]]:
    """Chunks of audit rows (in ``audit_columns`` order) and the answer set of each."""
    users = organisation["users"]
    own, constants = audit_columns()
    extra = tuple(constants.values())
    with_category = "category" in own
    reviewers = users[(Role.INDEPENDENT_REVIEWER, None)]
    seniors = users[(Role.SENIOR_MANAGER, None)]
    teams = [place for places in organisation["teams"].values() for place in places]
    tools, tool_weights = zip(*TOOLS.items(), strict=True)
    kinds = {subject: tuple(zip(*table.items(), strict=True)) for subject, table in KINDS.items()}
    months = _month_weights(rng)
    audit_id = 0
    rows: list[tuple] = []
    chosen: list[Pooled] = []
    remaining = total
    for index, (month_start, share) in enumerate(months):
        count = remaining if index == len(months) - 1 else round(total * share)
        remaining -= count
        progress = index / (len(months) - 1)  # 0 in the first month, 1 in the last
        days = ((month_start + timedelta(days=32)).replace(day=1) - month_start).days
        for _ in range(count):
            audit_id += 1
            slug = rng.choices(tools, tool_weights)[0]
            day = month_start + timedelta(days=rng.randrange(days))
            moment = datetime(day.year, day.month, day.day, rng.randint(9, 17), rng.randrange(60))
            if slug == "supervision_audit":
                team_id, service_id = rng.choice(teams)
                kind = rng.choices(*kinds["staff"])[0]
                subject = rng.choice(users[(Role.SOCIAL_WORKER, team_id)])
                case_id, worker_id, category = None, None, None
            else:
                code = "children" if slug == "children_audit" else "adults"
                case_id, service_id, team_id, worker_id, category = rng.choice(cases[code])
                subject = None
                kind = rng.choices(*kinds["case"])[0]
            if kind is AuditKind.LINE_MANAGEMENT:
                auditor = rng.choice(
                    users[(Role.TEAM_MANAGER, team_id)] * 3
                    + users[(Role.DEPUTY_TEAM_MANAGER, team_id)]
                )
            elif kind is AuditKind.INDEPENDENT:
                auditor = rng.choice(reviewers)
            elif kind is AuditKind.SENIOR_SAMPLE:
                auditor = rng.choice(seniors)
            else:
                auditor = worker_id
            pool = pools[(slug, category)]
            # Better audits as the years go by; independent auditors a little harder to please.
            exponent = (1.25 if kind is AuditKind.INDEPENDENT else 1.0) / (1 + 0.6 * progress)
            entry = pool[int(len(pool) * rng.random() ** exponent)]
            row = (
                audit_id, slug, versions[slug], case_id, subject, {}, service_id, team_id,
                auditor, worker_id, kind.value, AuditStatus.SUBMITTED.value, day,
                moment - timedelta(days=rng.randint(0, 6), hours=rng.randint(0, 3)), moment,
                moment, 1, None, *entry.outcome,
            )  # fmt: skip
            if with_category:
                row += (category,)
            rows.append(row + extra)
            chosen.append(entry)
            if len(rows) >= CHUNK:
                yield rows, chosen
                rows, chosen = [], []
    if rows:
        yield rows, chosen


def _write_postgresql(chunks: Iterator[tuple[list[tuple], list[Pooled]]]) -> tuple[int, int]:
    own, constants = audit_columns()
    audit_columns_sql = ", ".join(f'"{c}"' for c in [*own, *constants])
    connection = db.engine.raw_connection()
    driver = connection.driver_connection
    audits = answers = 0
    try:
        with driver.cursor() as cursor:
            cursor.execute("SET synchronous_commit = off")
            try:
                # The rows are consistent by construction: skip a foreign-key check per row.
                cursor.execute("SET session_replication_role = replica")
            except Exception as error:  # not a superuser: keep the checks, load more slowly
                driver.rollback()
                print(f"  (foreign-key checks stay on: {error})", file=sys.stderr)
            for rows, chosen in chunks:
                with cursor.copy(f"COPY audit ({audit_columns_sql}) FROM STDIN") as copy:
                    copy.write(
                        "".join("\t".join(_copy_value(v) for v in row) + "\n" for row in rows)
                    )
                parts: list[str] = []
                for row, entry in zip(rows, chosen, strict=True):
                    prefix = f"{row[0]}"
                    for tail in entry.copy_tails:
                        answers += 1
                        parts.append(f"{answers}\t{prefix}{tail}")
                with cursor.copy(
                    "COPY answer (id, audit_id, question, rating, value, comment) FROM STDIN"
                ) as copy:
                    copy.write("".join(parts))
                driver.commit()
                audits += len(rows)
                _progress(audits)
            cursor.execute("SET session_replication_role = DEFAULT")
            for table in ("audit", "answer"):
                cursor.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                    f"(SELECT max(id) FROM {table}))"
                )
            driver.commit()
    finally:
        connection.close()
    return audits, answers


def _write_sqlite(chunks: Iterator[tuple[list[tuple], list[Pooled]]]) -> tuple[int, int]:
    own, constants = audit_columns()
    names = [*own, *constants]
    facts = names.index("facts")
    audit_sql = f"INSERT INTO audit ({', '.join(names)}) VALUES ({', '.join('?' * len(names))})"
    answer_sql = (
        "INSERT INTO answer (id, audit_id, question, rating, value, comment) "
        "VALUES (?, ?, ?, ?, ?, ?)"
    )
    connection = db.engine.raw_connection()
    driver = connection.driver_connection
    audits = answers = 0
    try:
        # A bulk load into a new file: no journal, no fsync; put back afterwards.
        driver.execute("PRAGMA journal_mode = OFF")
        driver.execute("PRAGMA synchronous = OFF")
        driver.execute("PRAGMA cache_size = -262144")  # 256 MiB
        for rows, chosen in chunks:
            rows = [
                tuple(
                    "{}"
                    if i == facts
                    else v.isoformat(sep=" ")
                    if isinstance(v, datetime)
                    else v.isoformat()
                    if isinstance(v, date)
                    else v
                    for i, v in enumerate(row)
                )
                for row in rows
            ]
            driver.executemany(audit_sql, rows)
            answer_rows = []
            for row, entry in zip(rows, chosen, strict=True):
                for answer in entry.answers:
                    answers += 1
                    answer_rows.append((answers, row[0], *answer))
            driver.executemany(answer_sql, answer_rows)
            driver.commit()
            audits += len(rows)
            _progress(audits)
        driver.execute("PRAGMA journal_mode = DELETE")
        driver.execute("PRAGMA synchronous = FULL")
    finally:
        connection.close()
    return audits, answers


_last_report = [0.0]


def _progress(audits: int) -> None:
    now = time.perf_counter()
    if now - _last_report[0] >= 10:
        _last_report[0] = now
        print(f"  {audits:,} audits written", file=sys.stderr)


def _rebuild_summary() -> int | None:
    """``careaudit reports rebuild``: the pre-aggregated counts the report reads."""
    try:
        from core.reports.summary import rebuild
    except ImportError:
        print("  (no core.reports.summary yet: summary not rebuilt)", file=sys.stderr)
        return None
    rows = rebuild()
    db.session.commit()
    return rows


def _analyse() -> None:
    if db.engine.dialect.name == "postgresql":
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            # The visibility map lets counts use index-only scans; the planner needs the sizes.
            connection.execute(text("VACUUM (ANALYZE)"))
    else:
        db.session.execute(text("ANALYZE"))
        db.session.commit()


def generate(url: str, audits: int, seed: int, replace: bool) -> dict[str, Any]:
    """Build the council and its audits in a new database; returns what was made and times."""
    started = time.perf_counter()
    timings: dict[str, float] = {}
    _fresh_database(url, replace)
    app = make_app(url)
    with app.app_context():
        upgrade()  # the schema is the migrations', as `careaudit db upgrade` builds it
        timings["migrations"] = time.perf_counter() - started
        rng = random.Random(seed)
        registry = get_registry()
        mark = time.perf_counter()
        organisation = _organisation(registry)
        cases = _cases(rng, organisation)
        pools = _pools(rng, registry)
        versions = {slug: registry.get(slug).version for slug in TOOLS}  # type: ignore[union-attr]
        timings["council, cases, answer pools"] = time.perf_counter() - mark
        mark = time.perf_counter()
        chunks = _audits(rng, audits, organisation, cases, pools, versions)
        db.session.commit()
        if db.engine.dialect.name == "postgresql":
            written, answers = _write_postgresql(chunks)
        else:
            written, answers = _write_sqlite(chunks)
        timings["audits and answers"] = time.perf_counter() - mark
        mark = time.perf_counter()
        # The planner needs the new tables' sizes before the rebuild's INSERT ... SELECT:
        # without them PostgreSQL picks a plan that runs for many minutes at 100,000 audits.
        _analyse()
        summary_rows = _rebuild_summary()
        timings["summary rebuild"] = time.perf_counter() - mark
        mark = time.perf_counter()
        _analyse()
        timings["analyse"] = time.perf_counter() - mark
        db.session.remove()
        db.engine.dispose()
    timings["total"] = time.perf_counter() - started
    return {
        "audits": written,
        "answers": answers,
        "cases": CASES,
        "summary_rows": summary_rows,
        "timings": timings,
    }


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--audits", type=int, default=100_000)
    parser.add_argument(
        "--database-url",
        default=os.environ.get("CAREAUDIT_BENCH_DATABASE_URL"),
        required="CAREAUDIT_BENCH_DATABASE_URL" not in os.environ,
        help="sqlite:////path/bench.sqlite3 or postgresql://postgres@127.0.0.1:5432/name",
    )
    parser.add_argument("--seed", type=int, default=10)
    parser.add_argument(
        "--replace", action="store_true", help="empty the database first if it has tables"
    )
    parser.add_argument(
        "--rebuild-only",
        action="store_true",
        help="only rebuild the report summary and analyse (an already generated database)",
    )
    args = parser.parse_args(argv)
    if args.rebuild_only:
        app = make_app(args.database_url)
        with app.app_context():
            start = time.perf_counter()
            rows = _rebuild_summary()
            _analyse()
            seconds = time.perf_counter() - start
            print(f"summary rebuilt ({rows} audits counted) and analysed in {seconds:.1f} s")
        return
    result = generate(args.database_url, args.audits, args.seed, args.replace)
    print(
        f"{result['audits']:,} audits, {result['answers']:,} answers, {result['cases']:,} cases"
        + (
            f", summary rebuilt ({result['summary_rows']:,} audits counted)"
            if result["summary_rows"] is not None
            else ""
        )
    )
    for step, seconds in result["timings"].items():
        print(f"  {step}: {seconds:.1f} s")


if __name__ == "__main__":
    main()
