"""Page-speed benchmark (issue 12): each main page's requests per second against a reference.

careaudit and bench/reference_app.py (a minimal Flask + Flask-SQLAlchemy +
Flask-Login page listing 50 audits joined to their case, from the same database)
are served side by side by gunicorn with the same settings (the README's
production section: ``--workers 4``, sync workers; ``--workers`` changes both).
For each page, the reference and the page are driven in turn by the same
closed-loop load generator (bench/loadgen.py: ``--connections`` busy connections
for ``--seconds``), alternating which goes first, for ``--rounds`` rounds; the
table gives the medians and each page's req/s as a share of the reference's
measured next to it. The target (issue 12) is 70 % or more.

The database is one bench/generate_audits.py made (a council of 150 teams, 1,200
social workers, 30,000 case files and the audits asked for). Before the run the
benchmark gives its accounts what the pages need, in the database itself: drafts
for the team managers who are signed in (``prepare``), and the administrator a
two-step secret and recovery codes (administrators must use two-step verification).
Running it again reuses the drafts.

Run (``make bench-pages`` does both databases at 100,000 audits):
  .venv/bin/python bench/generate_audits.py --audits 100000 --replace \\
      --database-url sqlite:////tmp/careaudit-bench-100k.sqlite3
  .venv/bin/python bench/page_bench.py --database-url sqlite:////tmp/careaudit-bench-100k.sqlite3
  .venv/bin/python bench/page_bench.py --only home,report --seconds 3 --rounds 1 ...
"""

from __future__ import annotations

import argparse
import os
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import loadgen  # noqa: E402
from generate_audits import PASSWORD, make_app  # noqa: E402

#: SECRET_KEY of both servers and of ``prepare`` (the administrator's sealed TOTP secret).
SECRET_KEY = "bench"
TARGET = 0.70
CAREAUDIT_PORT = 8611
REFERENCE_PORT = 8612
#: Whose pages are measured: the first children's team, its service, the council.
TEAM = "children.team.01-01"
ACCOUNTS = {
    "team manager": f"tm.{TEAM}@bench.example",
    "deputy team manager": f"dtm.{TEAM}@bench.example",
    "social worker": f"sw1.{TEAM}@bench.example",
    "service manager": "sm.children.service.01@bench.example",
    "independent reviewer": "iro1@bench.example",
    "senior manager": "senior.manager@bench.example",
    "performance analyst": "analyst@bench.example",
    "administrator": "admin@bench.example",
}
#: The month the team report is for (the generated audits run to November 2026).
REPORT_MONTH = "2026-10"


# -- the data the pages need ------------------------------------------------------------


def _ensure_drafts(auditor: Any, count: int) -> list[int]:
    """``count`` children's drafts of open cases in the auditor's team (kept between runs)."""
    from sqlalchemy import select

    from core.audits import workflow
    from core.extensions import db
    from core.models import Audit, AuditStatus, Case
    from core.tools.registry import get_registry

    drafts = list(
        db.session.scalars(
            select(Audit.id)
            .where(Audit.auditor_id == auditor.id, Audit.status == AuditStatus.DRAFT)
            .order_by(Audit.id)
        )
    )
    if len(drafts) >= count:
        return drafts[:count]
    cases = db.session.scalars(
        select(Case)
        .where(Case.team_id == auditor.team_id, Case.is_open.is_(True))
        .order_by(Case.id)
        .limit(count * 3)
    ).all()
    for case in cases:
        if len(drafts) >= count:
            break
        try:
            audit = workflow.start_audit(get_registry(), case, auditor, "children_audit", None)
        except workflow.AuditRefused:
            continue
        if audit.id not in drafts:
            drafts.append(audit.id)
    return drafts


def prepare(url: str, draft_owners: Sequence[str] = (), drafts_each: int = 1) -> dict[str, Any]:
    """Drafts, the administrator's second step and the ids the pages are at."""
    from sqlalchemy import func, select

    from core.extensions import db
    from core.mfa import recovery, totp, vault
    from core.models import Audit, AuditStatus, User

    app = make_app(url)
    app.config["SECRET_KEY"] = SECRET_KEY
    with app.test_request_context("/"):
        users = {
            email: db.session.scalar(select(User).where(User.email == email))
            for email in {*ACCOUNTS.values(), *draft_owners}
        }
        missing = [email for email, user in users.items() if user is None]
        if missing:
            raise SystemExit(f"no such account (is the database generated?): {missing}")
        manager = users[ACCOUNTS["team manager"]]
        drafts = {email: _ensure_drafts(users[email], drafts_each) for email in draft_owners}
        if ACCOUNTS["team manager"] not in drafts:
            drafts[ACCOUNTS["team manager"]] = _ensure_drafts(manager, 1)
        # The team manager's latest submitted children's audit: the audit and case pages.
        audit_id, case_id = db.session.execute(
            select(Audit.id, Audit.case_id)
            .where(
                Audit.auditor_id == manager.id,
                Audit.status == AuditStatus.SUBMITTED,
                Audit.tool == "children_audit",
            )
            .order_by(Audit.submitted_at.desc())
            .limit(1)
        ).one()
        admin = users[ACCOUNTS["administrator"]]
        if not admin.has_mfa or vault.unseal(admin.mfa_secret or "") is None:
            admin.mfa_secret = vault.seal(totp.new_secret())
            admin.mfa_enrolled_at = datetime.now()
        codes = recovery.make_codes(admin)
        db.session.commit()
        themed_id = None
        try:
            from plugins.themed_audits.models import ThemedAudit

            themed_id = db.session.scalar(select(func.min(ThemedAudit.id)))
        except ImportError:
            pass
        result = {
            "backend": db.engine.dialect.name,
            "audits": db.session.scalar(select(func.count(Audit.id))),
            "drafts": drafts,
            "audit_id": audit_id,
            "case_id": case_id,
            "recovery_codes": codes,
            "themed_id": themed_id,
        }
        db.session.remove()
        db.engine.dispose()
    return result


# -- the servers ------------------------------------------------------------------------


def server_environment(url: str) -> dict[str, str]:
    """The environment both servers run with: the README's production settings over http."""
    env = dict(os.environ)
    env.update(
        {
            "DATABASE_URL": url,
            "BENCH_DATABASE_URL": url,
            "SECRET_KEY": SECRET_KEY,
            "CAREAUDIT_INSTANCE_PATH": tempfile.mkdtemp(prefix="careaudit-bench-instance-"),
            "CAREAUDIT_SECURE_COOKIES": "0",  # plain http on 127.0.0.1
            # Jobs run by `careaudit worker` in production, not by the web workers.
            "CAREAUDIT_JOBS_IN_PROCESS": "0",
            # A few dozen sign-ins from one address in a minute are the benchmark's own.
            "CAREAUDIT_LOGIN_RATE_LIMIT": "1000 per minute",
            "CAREAUDIT_SIGN_IN_ADDRESS_FAILURES": "1000",
        }
    )
    return env


@contextmanager
def gunicorn(app: str, port: int, env: dict[str, str], workers: int, log: Path) -> Iterator[str]:
    """Serve ``app`` with gunicorn (sync workers) until the block ends; yields its address."""
    command = [
        str(Path(sys.executable).with_name("gunicorn")),
        "--workers",
        str(workers),
        "--bind",
        f"127.0.0.1:{port}",
        "--chdir",
        str(ROOT),
        "--error-logfile",
        str(log),
        "--no-control-socket",  # two servers at once would share its default path
        app,
    ]
    process = subprocess.Popen(command, env=env, cwd=ROOT, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            if process.poll() is not None:
                raise SystemExit(f"gunicorn {app} stopped at start: see {log}")
            try:
                requests.get(f"{base}/sign-in", timeout=60)
                break
            except requests.RequestException:
                time.sleep(0.2)
        yield base
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()


# -- signing in -------------------------------------------------------------------------

_CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def csrf_token(html: str) -> str:
    match = _CSRF.search(html)
    return match.group(1) if match else ""


def sign_in(base: str, email: str, code: str | None = None) -> requests.Session:
    """A signed-in session (careaudit's or the reference's form; a recovery code if asked)."""
    session = requests.Session()
    page = session.get(f"{base}/sign-in")
    reply = session.post(
        f"{base}/sign-in",
        data={"email": email, "password": PASSWORD, "csrf_token": csrf_token(page.text)},
    )
    if "/sign-in/two-step" in reply.url:
        if code is None:
            raise SystemExit(f"{email} is asked for a two-step code")
        reply = session.post(reply.url, data={"code": code, "csrf_token": csrf_token(reply.text)})
    if reply.status_code != 200 or "/sign-in" in reply.url:
        raise SystemExit(f"signing in as {email} failed: {reply.status_code} at {reply.url}")
    return session


def cookie_header(session: requests.Session) -> tuple[tuple[str, str], ...]:
    return (("Cookie", "; ".join(f"{c.name}={c.value}" for c in session.cookies)),)


# -- the pages --------------------------------------------------------------------------


@dataclass(frozen=True)
class Page:
    key: str
    name: str
    role: str
    path: str


def pages(data: dict[str, Any]) -> list[Page]:
    draft = data["drafts"][ACCOUNTS["team manager"]][0]
    audit, case = data["audit_id"], data["case_id"]
    listed = [
        Page("home-tm", "Home", "team manager", "/"),
        Page("home-dtm", "Home", "deputy team manager", "/"),
        Page("home-sw", "Home", "social worker", "/"),
        Page("home-sm", "Home", "service manager", "/"),
        Page("home-iro", "Home", "independent reviewer", "/"),
        Page("home-senior", "Home", "senior manager", "/"),
        Page("home-analyst", "Home (the report, last 12 months)", "performance analyst",
             "/reports/"),
        Page("home-admin", "Home (administration)", "administrator", "/admin/"),
        Page("find", "Find a case", "team manager", "/cases/?q=C00"),
        Page("case", "Case page", "team manager", f"/cases/{case}"),
        Page("form-tasks", "Audit form: task list", "team manager", f"/audits/{draft}/edit"),
        Page("form-section", "Audit form: a section", "team manager", "SECTION"),
        Page("audit", "Audit view", "team manager", f"/audits/{audit}"),
        Page("report-team", "Report, one team, one month", "team manager",
             f"/reports/?period={REPORT_MONTH}"),
        Page("report-service", "Report, one service, one month", "service manager",
             f"/reports/?period={REPORT_MONTH}"),
        Page("compliance", "Compliance", "service manager", "/programme/compliance"),
        Page("runs", "Allocation log", "service manager", "/programme/runs"),
        Page("themed", "Themed audits", "service manager", "/themed-audits/"),
        Page("admin-users", "Admin: users", "administrator", "/admin/users"),
        Page("admin-services", "Admin: services", "administrator", "/admin/services"),
    ]  # fmt: skip
    if data.get("themed_id"):
        listed.append(
            Page("themed-show", "A themed audit", "service manager",
                 f"/themed-audits/{data['themed_id']}")
        )  # fmt: skip
    return listed


_SECTION = re.compile(r'href="(/audits/\d+/sections/[^"?#]+)"')


def first_section(session: requests.Session, base: str, draft: int) -> str:
    """The address of the draft's first section page, from its task list."""
    html = session.get(f"{base}/audits/{draft}/edit").text
    match = _SECTION.search(html)
    if match is None:
        raise SystemExit(f"no section links on /audits/{draft}/edit")
    return match.group(1)


@dataclass
class Row:
    page: Page
    careaudit: list[float]
    reference: list[float]
    ratios: list[float]
    p50_ms: list[float]
    problem: str = ""


def measure(
    url: str,
    only: set[str],
    seconds: float,
    rounds: int,
    connections: int,
    workers: int,
) -> tuple[list[Row], dict[str, Any]]:
    data = prepare(url)
    env = server_environment(url)
    logs = Path(env["CAREAUDIT_INSTANCE_PATH"])
    rows: list[Row] = []
    with (
        gunicorn("core:create_app()", CAREAUDIT_PORT, env, workers, logs / "app.log") as app,
        gunicorn(
            "bench.reference_app:create_app()", REFERENCE_PORT, env, workers, logs / "ref.log"
        ) as reference,
    ):
        codes = iter(data["recovery_codes"])
        sessions = {
            role: sign_in(app, email, next(codes) if role == "administrator" else None)
            for role, email in ACCOUNTS.items()
        }
        reference_session = sign_in(reference, ACCOUNTS["team manager"])
        reference_request = loadgen.Request("GET", "/", cookie_header(reference_session))
        chosen = [
            p for p in pages(data) if not only or p.key in only or p.key.split("-")[0] in only
        ]
        for page in chosen:
            path = page.path
            if path == "SECTION":
                path = first_section(
                    sessions["team manager"], app, data["drafts"][ACCOUNTS["team manager"]][0]
                )
            page = Page(page.key, page.name, page.role, path)
            row = Row(page, [], [], [], [])
            rows.append(row)
            check = sessions[page.role].get(f"{app}{path}", allow_redirects=False)
            if check.status_code != 200:
                row.problem = f"GET {path} as {page.role}: {check.status_code}"
                print(f"  {page.name} ({page.role}): {row.problem}", file=sys.stderr)
                continue
            request = loadgen.Request(
                "GET", path, cookie_header(sessions[page.role]), label=page.key
            )
            for number in range(rounds):
                runs = [("reference", reference, reference_request), ("page", app, request)]
                if number % 2:
                    runs.reverse()  # neither always goes first
                got: dict[str, loadgen.Result] = {}
                for which, base, req in runs:
                    # Warm up until every worker has answered a few times (templates compiled).
                    got[which] = loadgen.closed_loop(
                        base,
                        [req],
                        connections=connections,
                        seconds=seconds,
                        warmup=1.0,
                        warmup_requests=4 * workers if number == 0 else workers,
                    )
                    if got[which].errors:
                        row.problem = f"{got[which].errors} errors: {got[which].first_error}"
                row.careaudit.append(got["page"].rate)
                row.reference.append(got["reference"].rate)
                row.ratios.append(got["page"].rate / max(got["reference"].rate, 1e-9))
                row.p50_ms.append(got["page"].percentile(50) * 1000)
            print(
                f"  {page.name} ({page.role}): {statistics.median(row.ratios):.0%} "
                f"({statistics.median(row.careaudit):.1f} / "
                f"{statistics.median(row.reference):.1f} req/s)",
                file=sys.stderr,
            )
    return rows, data


def table(rows: list[Row]) -> str:
    lines = [
        "| page | signed in as | careaudit req/s | reference req/s | ratio | "
        "median latency (ms) | ≥ 70 % |",
        "|---|---|---|---|---|---|---|",
    ]
    for row in rows:
        if not row.ratios:
            lines.append(f"| {row.page.name} | {row.page.role} | | | | | {row.problem} |")
            continue
        ratio = statistics.median(row.ratios)
        met = "yes" if ratio >= TARGET else "**no**"
        if row.problem:
            met += f" ({row.problem})"
        lines.append(
            f"| {row.page.name} | {row.page.role} | {statistics.median(row.careaudit):.1f} | "
            f"{statistics.median(row.reference):.1f} | {ratio:.0%} | "
            f"{statistics.median(row.p50_ms):.0f} | {met} |"
        )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--database-url",
        action="append",
        help="a generated database; give it again to run several (e.g. SQLite and PostgreSQL)",
    )
    parser.add_argument("--seconds", type=float, default=4, help="per measurement")
    parser.add_argument("--rounds", type=int, default=3, help="reference and page, alternated")
    parser.add_argument("--connections", type=int, default=8, help="busy connections")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers (both apps)")
    parser.add_argument("--only", default="", help="page keys, comma-separated (e.g. home,audit)")
    args = parser.parse_args(argv)
    urls = args.database_url or [os.environ.get("CAREAUDIT_BENCH_DATABASE_URL", "")]
    if not all(urls):
        parser.error("give --database-url")
    only = {key.strip() for key in args.only.split(",") if key.strip()}
    failed = False
    for url in urls:
        started = time.perf_counter()
        rows, data = measure(url, only, args.seconds, args.rounds, args.connections, args.workers)
        print(
            f"\n{data['backend']}, {data['audits']:,} audits; gunicorn --workers {args.workers}, "
            f"{args.connections} connections, {args.rounds} rounds of {args.seconds:g} s each "
            f"({time.perf_counter() - started:.0f} s); {os.cpu_count()} CPUs, "
            f"{datetime.now():%Y-%m-%d %H:%M}\n"
        )
        print(table(rows))
        failed = failed or any(r.problem or not r.ratios for r in rows)
    if failed:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
