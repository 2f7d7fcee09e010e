"""A small HTTP load generator for the page benchmarks (issue 12): no wrk needed.

Two ways to drive a server, both on one asyncio loop speaking plain HTTP/1.1 over
``asyncio.open_connection`` (no client library per request, so the generator costs a
small fraction of what a Flask page costs to serve):

* ``closed_loop``: N connections, each sending its next request as soon as the last
  reply is read; gives requests per second at saturation (the per-page ratios).
  Connections are kept alive when the server allows it; gunicorn's sync workers
  close after every reply, so then each request opens a new connection (as wrk
  does against them).
* ``open_loop``: requests scheduled at a fixed arrival rate for a fixed time,
  whatever the server's pace. Latency is measured from each request's *scheduled*
  time, so a server that falls behind shows its queue in the percentiles (no
  coordinated omission). The run is bounded: a request not answered by
  ``deadline`` seconds after its scheduled time counts as an error.

Run directly to measure one address, e.g.::

  .venv/bin/python bench/loadgen.py --url http://127.0.0.1:8000/ --seconds 10 --connections 8
  .venv/bin/python bench/loadgen.py --url http://127.0.0.1:8000/ --rate 150 --seconds 30
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import random
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from urllib.parse import urlsplit


@dataclass(frozen=True)
class Request:
    """One request to send: method, path (with query), headers and body."""

    method: str
    path: str
    headers: tuple[tuple[str, str], ...] = ()
    body: bytes = b""
    #: What the reply is for (a page name): results are grouped by it.
    label: str = ""


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    body: bytes


@dataclass
class Result:
    """What a run measured: completions, failures, latencies (seconds) and wall time."""

    seconds: float = 0.0
    ok: int = 0
    errors: int = 0
    latencies: list[float] = field(default_factory=list)
    statuses: dict[int, int] = field(default_factory=dict)
    by_label: dict[str, list[float]] = field(default_factory=dict)
    first_error: str = ""

    @property
    def rate(self) -> float:
        return self.ok / self.seconds if self.seconds else 0.0

    def percentile(self, p: float, label: str | None = None) -> float:
        values = sorted(self.latencies if label is None else self.by_label.get(label, []))
        if not values:
            return float("nan")
        return values[min(len(values) - 1, round(p / 100 * (len(values) - 1)))]

    def error(self, message: str) -> None:
        self.errors += 1
        if not self.first_error:
            self.first_error = message


class Connection:
    """One HTTP/1.1 connection that reopens itself when the server closed it."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            with contextlib.suppress(OSError):
                await self.writer.wait_closed()
        self.reader = self.writer = None

    async def send(self, request: Request) -> Reply:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        assert self.reader is not None
        head = [f"{request.method} {request.path} HTTP/1.1", f"Host: {self.host}:{self.port}"]
        head += [f"{name}: {value}" for name, value in request.headers]
        if request.body or request.method == "POST":
            head.append(f"Content-Length: {len(request.body)}")
        self.writer.write(("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + request.body)
        await self.writer.drain()
        status_line = await self.reader.readline()
        if not status_line:
            await self.close()
            raise ConnectionError("the server closed the connection")
        status = int(status_line.split(b" ", 2)[1])
        headers: dict[str, str] = {}
        while True:
            line = await self.reader.readline()
            if line in (b"\r\n", b"\n", b""):
                break
            name, _, value = line.decode("latin-1").partition(":")
            headers[name.strip().lower()] = value.strip()
        if "content-length" in headers:
            body = await self.reader.readexactly(int(headers["content-length"]))
        elif headers.get("transfer-encoding", "").lower() == "chunked":
            parts = []
            while True:
                size = int((await self.reader.readline()).split(b";")[0], 16)
                if size == 0:
                    await self.reader.readline()
                    break
                parts.append(await self.reader.readexactly(size))
                await self.reader.readline()
            body = b"".join(parts)
        else:
            body = await self.reader.read()
            headers["connection"] = "close"
        if headers.get("connection", "").lower() == "close":
            await self.close()
        return Reply(status, headers, body)


def _target(url: str) -> tuple[str, int]:
    parts = urlsplit(url)
    return parts.hostname or "127.0.0.1", parts.port or 80


Check = Callable[[Request, Reply], str | None]


def _default_check(request: Request, reply: Reply) -> str | None:
    if reply.status != 200:
        return f"{request.method} {request.path}: {reply.status}"
    return None


async def _closed_loop(
    base_url: str,
    requests: Sequence[Request],
    connections: int,
    seconds: float,
    warmup: float,
    warmup_requests: int,
    check: Check,
) -> Result:
    host, port = _target(base_url)
    result = Result()
    start = time.perf_counter()
    # Measuring starts once the warm-up has lasted ``warmup`` seconds and ``warmup_requests``
    # replies came back (every worker has compiled its templates and filled its caches).
    window: dict[str, float | None] = {"from": None, "stop": None}
    warm = [0]

    async def worker(number: int) -> None:
        connection = Connection(host, port)
        index = number
        while True:
            request = requests[index % len(requests)]
            index += connections
            sent = time.perf_counter()
            stop = window["stop"]
            if stop is not None and sent >= stop:
                break
            if stop is None and sent - start > warmup + seconds * 20 + 120:
                break  # never warmed up: give up rather than run for ever
            try:
                reply = await connection.send(request)
                problem = check(request, reply)
            except (OSError, ConnectionError, asyncio.IncompleteReadError, ValueError) as error:
                await connection.close()
                problem = f"{request.path}: {error!r}"
                reply = None
            done = time.perf_counter()
            measure_from = window["from"]
            if measure_from is None:
                warm[0] += 1
                if warm[0] >= warmup_requests and done - start >= warmup:
                    window["from"], window["stop"] = done, done + seconds
                continue
            if sent < measure_from or done > (window["stop"] or 0):
                continue
            if problem:
                result.error(problem)
            else:
                result.ok += 1
                result.latencies.append(done - sent)
                result.by_label.setdefault(request.label, []).append(done - sent)
            if reply is not None:
                result.statuses[reply.status] = result.statuses.get(reply.status, 0) + 1
        await connection.close()

    await asyncio.gather(*(worker(n) for n in range(connections)))
    result.seconds = seconds if window["from"] is not None else 0.0
    return result


def closed_loop(
    base_url: str,
    requests: Sequence[Request],
    connections: int = 8,
    seconds: float = 10.0,
    warmup: float = 1.0,
    warmup_requests: int = 0,
    check: Check = _default_check,
) -> Result:
    """Requests per second with ``connections`` busy connections, cycling through ``requests``.

    Replies during the warm-up (at least ``warmup`` seconds and ``warmup_requests``
    replies) are not counted, nor those finishing after ``seconds`` more; errors are
    replies ``check`` objects to (not 200 by default).
    """
    return asyncio.run(
        _closed_loop(base_url, requests, connections, seconds, warmup, warmup_requests, check)
    )


async def _open_loop(
    base_url: str,
    next_request: Callable[[int], Request],
    rate: float,
    seconds: float,
    deadline: float,
    max_connections: int,
    check: Check,
    on_reply: Callable[[Request, Reply], None] | None,
    on_done: Callable[[Request], None] | None,
) -> Result:
    host, port = _target(base_url)
    result = Result()
    idle: list[Connection] = []
    slots = asyncio.Semaphore(max_connections)
    total = int(rate * seconds)
    start = time.perf_counter() + 0.2

    async def one(number: int, scheduled: float) -> None:
        request = next_request(number)
        try:
            async with asyncio.timeout(max(scheduled + deadline - time.perf_counter(), 0.001)):
                async with slots:
                    connection = idle.pop() if idle else Connection(host, port)
                    try:
                        reply = await connection.send(request)
                    except BaseException:
                        await connection.close()
                        raise
                    idle.append(connection)
            done = time.perf_counter()
            result.statuses[reply.status] = result.statuses.get(reply.status, 0) + 1
            problem = check(request, reply)
            if problem:
                result.error(problem)
            else:
                result.ok += 1
                latency = done - scheduled  # from the schedule, not from when it was sent
                result.latencies.append(latency)
                result.by_label.setdefault(request.label, []).append(latency)
                if on_reply is not None:
                    on_reply(request, reply)
        except TimeoutError:
            result.error(f"{request.path}: no reply within {deadline:.0f} s of its schedule")
        except (OSError, ConnectionError, asyncio.IncompleteReadError, ValueError) as error:
            result.error(f"{request.path}: {error!r}")
        finally:
            if on_done is not None:
                on_done(request)

    tasks = []
    for number in range(total):
        scheduled = start + number / rate
        delay = scheduled - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(one(number, scheduled)))
    await asyncio.gather(*tasks)
    result.seconds = time.perf_counter() - start
    for connection in idle:
        await connection.close()
    return result


def open_loop(
    base_url: str,
    next_request: Callable[[int], Request],
    rate: float,
    seconds: float,
    deadline: float = 10.0,
    max_connections: int = 256,
    check: Check = _default_check,
    on_reply: Callable[[Request, Reply], None] | None = None,
    on_done: Callable[[Request], None] | None = None,
) -> Result:
    """``rate`` requests a second for ``seconds``; request ``n`` is ``next_request(n)``.

    Each request is sent at its scheduled time (or as soon as one of
    ``max_connections`` is free) and its latency counts from the schedule. One not
    answered within ``deadline`` seconds of its schedule is an error, so the run
    ends at most ``deadline`` seconds after the last arrival. ``on_reply`` sees every
    good reply (e.g. to read a new version); ``on_done`` every request once finished.
    """
    return asyncio.run(
        _open_loop(
            base_url,
            next_request,
            rate,
            seconds,
            deadline,
            max_connections,
            check,
            on_reply,
            on_done,
        )
    )


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--rate", type=float, help="open loop at this many requests a second")
    parser.add_argument("--cookie", default="")
    args = parser.parse_args(argv)
    parts = urlsplit(args.url)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    headers = (("Cookie", args.cookie),) if args.cookie else ()
    request = Request("GET", path, headers)
    if args.rate:
        result = open_loop(args.url, lambda n: request, args.rate, args.seconds)
    else:
        result = closed_loop(args.url, [request], args.connections, args.seconds)
    print(
        f"{result.ok} ok, {result.errors} errors in {result.seconds:.1f} s: "
        f"{result.rate:.1f} req/s; p50 {result.percentile(50) * 1000:.1f} ms, "
        f"p95 {result.percentile(95) * 1000:.1f} ms, p99 {result.percentile(99) * 1000:.1f} ms"
        + (f"; first error: {result.first_error}" if result.first_error else "")
    )


if __name__ == "__main__":
    random.seed(0)
    main()
