"""Mixed load (issue 12): 80 % page reads and 20 % draft saves at a fixed arrival rate.

careaudit is served by gunicorn as the README's production section sets it up
(``--workers 4``, sync workers) over a database bench/generate_audits.py made.
An open-loop generator (bench/loadgen.py) sends ``--rate`` requests a second for
``--seconds``, whatever the server's pace; each request's latency counts from the
moment it was scheduled, so queueing shows, and a request not answered within
``--deadline`` seconds of its schedule is an error (the run is bounded in time).

Reads are the main pages of ten team managers, their social workers and service
manager: home, find a case, case page, audit view, the audit form's task list and
a section, a team's month report and compliance (weights in ``READS``). Saves are
what the audit form's autosave sends: a section of the user's own draft posted
with ``autosave=1`` and the version last saved; the JSON reply carries the new
version, which the next save of that draft sends. Every team manager has four
drafts (made by ``page_bench.prepare`` and kept between runs), and a draft is never
saved twice at once (a save whose draft is busy goes to another draft).

The target (issue 12): 150 req/s on PostgreSQL with a 95th percentile at or under
150 ms and no errors.

Then, unless ``--no-reference``, the same open-loop schedule (rate, seconds, deadline)
is offered to the reference app (bench/reference_app.py, its one 50-row page, the same
gunicorn set-up) in the same run: what these shared cores can serve at that rate at
all, so a run can be read against the machine as well as against the target.

Run:
  .venv/bin/python bench/mixed_load.py \\
      --database-url postgresql://postgres@127.0.0.1:5432/careaudit_bench100k --rate 150
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from html.parser import HTMLParser
from itertools import cycle
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

import loadgen  # noqa: E402
import page_bench  # noqa: E402

TARGET_P95 = 0.150
MANAGERS = [f"tm.children.team.01-{t:02d}@bench.example" for t in range(1, 11)]
DRAFTS_EACH = 4
#: Share of each read among the reads.
READS = {
    "home": 0.30,
    "find": 0.08,
    "case": 0.14,
    "audit": 0.14,
    "form-tasks": 0.12,
    "form-section": 0.14,
    "report-team": 0.04,
    "compliance": 0.04,
}
SAVE_SHARE = 0.20


class FormFields(HTMLParser):
    """The fields a section page's form posts, as a browser would fill them in."""

    def __init__(self) -> None:
        super().__init__()
        self.fields: dict[str, str] = {}
        self._radios: dict[str, str] = {}
        self._select: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        name = attributes.get("name")
        if tag == "input" and name:
            kind = (attributes.get("type") or "text").lower()
            value = attributes.get("value") or ""
            if kind == "radio":
                self._radios.setdefault(name, value)
                if "checked" in attributes:
                    self._radios[name] = value
            elif kind == "checkbox":
                if "checked" in attributes:
                    self.fields[name] = value
            elif kind not in {"submit", "button"}:
                self.fields[name] = value
        elif tag == "textarea" and name:
            self.fields[name] = ""
        elif tag == "select" and name:
            self._select = name
        elif tag == "option" and self._select and self._select not in self.fields:
            self.fields[self._select] = attributes.get("value") or ""

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None

    def result(self) -> dict[str, str]:
        return {**self._radios, **self.fields}


@dataclass
class Draft:
    path: str
    cookie: tuple[tuple[str, str], ...]
    fields: dict[str, str]
    version: int
    busy: bool = False
    saves: int = 0


def run(url: str, rate: float, seconds: float, deadline: float, workers: int, seed: int) -> bool:
    data = page_bench.prepare(url, MANAGERS, DRAFTS_EACH)
    env = page_bench.server_environment(url)
    log = Path(env["CAREAUDIT_INSTANCE_PATH"]) / "app.log"
    result, drafts = _careaudit(data, env, log, rate, seconds, deadline, workers, seed)
    p95 = result.percentile(95)
    print(
        f"\n{data['backend']}, {data['audits']:,} audits; gunicorn --workers {workers}; "
        f"{rate:g} req/s scheduled for {seconds:g} s ({drafts} drafts)\n"
    )
    print("| requests | count | p50 (ms) | p95 (ms) | p99 (ms) |")
    print("|---|---|---|---|---|")
    for label in sorted(result.by_label):
        print(
            f"| {label} | {len(result.by_label[label])} | "
            + " | ".join(f"{result.percentile(p, label) * 1000:.0f}" for p in (50, 95, 99))
            + " |"
        )
    print(f"| **all** | {result.ok} | " + _percentiles(result) + " |")
    met = result.errors == 0 and p95 <= TARGET_P95
    print(
        f"\n{result.ok} answered, {result.errors} errors"
        + (f" (first: {result.first_error})" if result.first_error else "")
        + f"; statuses {dict(sorted(result.statuses.items()))}; "
        f"p95 {p95 * 1000:.0f} ms against the target of {TARGET_P95 * 1000:.0f} ms: "
        + ("met" if met else "NOT MET")
    )
    return met


def _percentiles(result: loadgen.Result) -> str:
    return " | ".join(f"{result.percentile(p) * 1000:.0f}" for p in (50, 95, 99))


def run_reference(url: str, rate: float, seconds: float, deadline: float, workers: int) -> None:
    """The same schedule offered to the reference app's one page; prints its latencies."""
    env = page_bench.server_environment(url)
    log = Path(env["CAREAUDIT_INSTANCE_PATH"]) / "ref.log"
    with page_bench.gunicorn(
        "bench.reference_app:create_app()", page_bench.REFERENCE_PORT, env, workers, log
    ) as reference:
        session = page_bench.sign_in(reference, MANAGERS[0])
        request = loadgen.Request("GET", "/", page_bench.cookie_header(session), label="reference")
        loadgen.closed_loop(reference, [request], connections=workers, seconds=1, warmup=1)
        result = loadgen.open_loop(reference, lambda _: request, rate, seconds, deadline=deadline)
    print(
        f"\nThe reference at the same schedule ({rate:g} req/s for {seconds:g} s): "
        f"{result.ok} answered, {result.errors} errors; p50 | p95 | p99 (ms): "
        + _percentiles(result)
    )


def _careaudit(
    data: dict[str, Any],
    env: dict[str, str],
    log: Path,
    rate: float,
    seconds: float,
    deadline: float,
    workers: int,
    seed: int,
) -> tuple[loadgen.Result, int]:
    rng = random.Random(seed)
    with page_bench.gunicorn(
        "core:create_app()", page_bench.CAREAUDIT_PORT, env, workers, log
    ) as app:
        drafts: list[Draft] = []
        reads: dict[str, list[loadgen.Request]] = {key: [] for key in READS}
        sessions = {email: page_bench.sign_in(app, email) for email in MANAGERS}
        service_manager = page_bench.sign_in(app, page_bench.ACCOUNTS["service manager"])
        first = MANAGERS[0]
        for email, session in sessions.items():
            cookie = page_bench.cookie_header(session)
            for number, draft_id in enumerate(data["drafts"][email]):
                section = page_bench.first_section(session, app, draft_id)
                if number % 2:  # not always the first section
                    section = section.replace("standard_1", "standard_2")
                parser = FormFields()
                parser.feed(session.get(f"{app}{section}").text)
                fields = parser.result()
                drafts.append(Draft(section, cookie, fields, int(fields.get("version", 1))))
                reads["form-section"].append(
                    loadgen.Request("GET", section, cookie, label="form-section")
                )
                reads["form-tasks"].append(
                    loadgen.Request("GET", f"/audits/{draft_id}/edit", cookie, label="form-tasks")
                )
            reads["home"].append(loadgen.Request("GET", "/", cookie, label="home"))
            reads["find"].append(loadgen.Request("GET", "/cases/?q=C00", cookie, label="find"))
            reads["report-team"].append(
                loadgen.Request(
                    "GET",
                    f"/reports/?period={page_bench.REPORT_MONTH}",
                    cookie,
                    label="report-team",
                )
            )
        own = page_bench.cookie_header(sessions[first])
        reads["case"].append(loadgen.Request("GET", f"/cases/{data['case_id']}", own, label="case"))
        reads["audit"].append(
            loadgen.Request("GET", f"/audits/{data['audit_id']}", own, label="audit")
        )
        reads["compliance"].append(
            loadgen.Request(
                "GET",
                "/programme/compliance",
                page_bench.cookie_header(service_manager),
                label="compliance",
            )
        )
        read_keys, read_weights = zip(*READS.items(), strict=True)
        turn = cycle(range(len(drafts)))
        by_request: dict[int, Draft] = {}

        def next_request(number: int) -> loadgen.Request:
            if rng.random() < SAVE_SHARE:
                for _ in range(len(drafts)):
                    draft = drafts[next(turn)]
                    if not draft.busy:
                        draft.busy = True
                        draft.saves += 1
                        fields = {
                            **draft.fields,
                            "version": str(draft.version),
                            "autosave": "1",
                        }
                        # A comment that changes, so every save writes something new.
                        for name in fields:
                            if name.endswith("__comment"):
                                fields[name] = f"Noted on save {draft.saves}."
                                break
                        request = loadgen.Request(
                            "POST",
                            draft.path,
                            (
                                *draft.cookie,
                                ("Content-Type", "application/x-www-form-urlencoded"),
                                ("X-Requested-With", "XMLHttpRequest"),
                            ),
                            urlencode(fields).encode(),
                            label="save",
                        )
                        by_request[id(request)] = draft
                        return request
            key = rng.choices(read_keys, read_weights)[0]
            return rng.choice(reads[key])

        def check(request: loadgen.Request, reply: loadgen.Reply) -> str | None:
            if reply.status != 200:
                return f"{request.method} {request.path}: {reply.status} {reply.body[:120]!r}"
            if request.label == "save":
                answer = json.loads(reply.body)
                if not answer.get("saved"):
                    return f"save refused: {answer.get('message')}"
            return None

        def on_reply(request: loadgen.Request, reply: loadgen.Reply) -> None:
            draft = by_request.get(id(request))
            if draft is not None:
                draft.version = int(json.loads(reply.body)["version"])

        def on_done(request: loadgen.Request) -> None:
            draft = by_request.pop(id(request), None)
            if draft is not None:
                draft.busy = False

        # Every worker compiles its templates and fills its caches before the clock starts.
        warm = [rng.choice(requests) for requests in reads.values()]
        loadgen.closed_loop(
            app, warm, connections=workers, seconds=1, warmup=1, warmup_requests=4 * len(warm)
        )
        result = loadgen.open_loop(
            app,
            next_request,
            rate,
            seconds,
            deadline=deadline,
            check=check,
            on_reply=on_reply,
            on_done=on_done,
        )
    return result, len(drafts)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--rate", type=float, default=150, help="requests a second")
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--deadline", type=float, default=10, help="seconds for each reply")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers")
    parser.add_argument("--seed", type=int, default=12)
    parser.add_argument("--no-reference", action="store_true", help="skip the reference app's run")
    args = parser.parse_args(argv)
    met = run(args.database_url, args.rate, args.seconds, args.deadline, args.workers, args.seed)
    if not args.no_reference:
        run_reference(args.database_url, args.rate, args.seconds, args.deadline, args.workers)
    if not met:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
