"""Profile one page in-process (issue 12): where a request's time goes, and its queries.

Signs in through Flask's test client as a generated account, requests the page
once to warm up, then ``--runs`` times under cProfile, and prints the mean time
per request, the statements per request and the functions with the most
cumulative time. For finding what to fix once bench/page_bench.py shows a slow page.

Run:
  .venv/bin/python bench/profile_page.py \\
      --database-url sqlite:////tmp/careaudit-bench-100k.sqlite3 \\
      --email tm.children.team.01-01@bench.example --path / --runs 20
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import sys
import time
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from generate_audits import PASSWORD, make_app  # noqa: E402
from sqlalchemy import event  # noqa: E402


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--email", required=True)
    parser.add_argument("--path", required=True)
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--top", type=int, default=40)
    parser.add_argument("--sort", default="cumulative")
    args = parser.parse_args(argv)
    app = make_app(args.database_url)
    app.config["MFA_ENFORCED"] = False
    statements: list[tuple[str, float]] = []
    started_at: list[float] = []
    with app.app_context():
        from core.extensions import db

        def before(*_: object) -> None:
            started_at.append(time.perf_counter())

        def after(_conn: object, _cursor: object, statement: str, *_: object) -> None:
            statements.append((statement, time.perf_counter() - started_at.pop()))

        event.listen(db.engine, "before_cursor_execute", before)
        event.listen(db.engine, "after_cursor_execute", after)
    client = app.test_client()
    reply = client.post("/sign-in", data={"email": args.email, "password": PASSWORD})
    assert reply.status_code in (302, 303), f"sign-in: {reply.status_code}"
    first = client.get(args.path)
    print(f"GET {args.path}: {first.status_code}, {len(first.data):,} bytes")
    statements.clear()
    started = time.perf_counter()
    for _ in range(args.runs):
        client.get(args.path)
    plain = (time.perf_counter() - started) / args.runs
    database = sum(t for _, t in statements) / args.runs
    print(f"{plain * 1000:.1f} ms a request, {database * 1000:.1f} ms of it in the database")
    statements.clear()
    profile = cProfile.Profile()
    started = time.perf_counter()
    profile.enable()
    for _ in range(args.runs):
        client.get(args.path)
    profile.disable()
    seconds = (time.perf_counter() - started) / args.runs
    print(f"{seconds * 1000:.1f} ms a request (profiled), {len(statements) / args.runs:.1f} "
          "statements a request")  # fmt: skip
    out = io.StringIO()
    pstats.Stats(profile, stream=out).sort_stats(args.sort).print_stats(args.top)
    print(out.getvalue())
    seen: dict[str, list[float]] = {}
    for statement, seconds in statements:
        key = " ".join(statement.split())[:200]
        seen.setdefault(key, []).append(seconds)
    print("Statements (per request: how many, ms), slowest first:")
    for key, times in sorted(seen.items(), key=lambda kv: -sum(kv[1]))[:25]:
        print(f"  {len(times) / args.runs:5.1f} {sum(times) * 1000 / args.runs:7.2f}  {key}")


if __name__ == "__main__":
    main()
