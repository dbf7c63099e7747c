"""Load test of the web API: N concurrent clients for S seconds on loopback.

    .venv/bin/python bench/load.py                      # builds a ~100k-person world
    .venv/bin/python bench/load.py --db /tmp/w/lantern.db --clients 50 --seconds 60

Builds (unless --db points at a store that has already run) a simulated world with
``lantern simulate`` and ``lantern run``, starts ``lantern serve`` in a subprocess, and
runs clients that each loop over a mix of requests as an analyst: fuzzy search (40%),
the child's page (40%), the alert queue (10%) and the national funnel (10%). Prints
p50/p95/p99 latency per kind, throughput and the error count.

The clients are closed-loop: each sends its next request as soon as the previous answer
has arrived (no think time), unless ``--think S`` gives them a mean pause of S seconds
(exponential) between requests, a different and lighter model that is reported as such.
They share the machine with the server, so they are kept light: one asyncio process,
one keep-alive HTTP/1.1 connection per client, written and parsed by hand (``--client
httpx`` uses httpx instead). The client's own CPU time is printed, and the load average
is sampled every second during the run.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import random
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

import httpx
import numpy as np
from sqlalchemy import func, select

ROOT = Path(__file__).resolve().parent.parent
LANTERN = [str(Path(sys.executable).parent / "lantern")]
TIMEOUT = 30.0  # seconds without an answer: counted as an error


def _run(args: list[str]) -> None:
    print("$", " ".join(args), flush=True)
    started = time.perf_counter()
    subprocess.run(args, check=True, cwd=ROOT)
    print(f"  ({time.perf_counter() - started:.0f} s)", flush=True)


def build_world(folder: Path, *, scale: float) -> Path:
    """Simulate and run the whole pipeline; returns the store's path."""
    db = folder / "lantern.db"
    _run([*LANTERN, "simulate", "--out", str(folder / "world"), "--scale", str(scale),
          "--years", "2013", "--seed", "7"])
    _run([*LANTERN, "run", str(folder / "world" / "submissions"), "--areas",
          str(folder / "world" / "areas.csv"), "--out", str(folder / "out"), "--db", str(db)])
    return db


def prepare(db: Path) -> tuple[str, list[str], list[str], int]:
    """An analyst token over all areas, names to search for, person ids to open."""
    from lantern.access.users import add_user, issue_token, list_users
    from lantern.resolve.stage import person_identities
    from lantern.store.db import open_store
    from lantern.store.tables.core import person_records

    engine = open_store(str(db))
    if "bench-analyst" not in {u.username for u in list_users(engine)}:
        add_user(engine, username="bench-analyst", password="bench-analyst-password",
                 role="analyst", all_areas=True)
    token = issue_token(engine, username="bench-analyst", name="load test")
    ids = person_identities(engine)
    persons = int(ids["person_id"].nunique())
    with engine.connect() as conn:
        rows = conn.execute(
            select(person_records.c.forename, person_records.c.surname)
            .where(person_records.c.surname.is_not(None))
            .order_by(func.random()).limit(3000)).all()
    names = [f"{f or ''} {s}".strip() for f, s in rows]
    try:
        from lantern.store.tables.screen import screen_risk

        with engine.connect() as conn:
            children = [r[0] for r in conn.execute(select(screen_risk.c.person_id)
                                                   .order_by(func.random()).limit(3000))]
    except ImportError:
        children = []
    people = children or ids["person_id"].drop_duplicates().sample(3000, random_state=1).tolist()
    engine.dispose()
    return token, names, people, persons


def _typo(name: str, rng: random.Random) -> str:
    if len(name) < 5 or rng.random() < 0.5:
        return name
    i = rng.randrange(1, len(name) - 1)
    return name[:i] + name[i + 1] + name[i] + name[i + 2:]


def _request(kind: str, names: list[str], people: list[str],
             rng: random.Random) -> tuple[str, dict[str, str]]:
    if kind == "search":
        return "/api/v1/persons/search", {"name": _typo(rng.choice(names), rng)}
    if kind == "child":
        return f"/api/v1/persons/{rng.choice(people)}", {"purpose": "safeguarding"}
    if kind == "alerts":
        return "/api/v1/alerts", {"limit": "100"}
    if kind == "me":  # authentication only, no audit: the floor of a request
        return "/api/v1/auth/me", {}
    return "/api/v1/national/funnel", {}


class RawHttp:
    """A minimal keep-alive HTTP/1.1 client for GETs on loopback: a few microseconds of
    CPU per request, so that the load generator takes little from the server's cores."""

    def __init__(self, host: str, port: int, headers: dict[str, str]) -> None:
        self.host, self.port = host, port
        self.extra = "".join(f"{k}: {v}\r\n" for k, v in headers.items())
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def get(self, path: str, params: dict[str, str]) -> int:
        """The status code, after the whole body has been read. A kept-alive connection
        that the server has closed meanwhile (idle past its keep-alive timeout) is
        reopened and the request sent once more, as browsers and httpx do."""
        reused = self.writer is not None
        try:
            return await self._get(path, params)
        except (asyncio.IncompleteReadError, ConnectionError) as exc:
            partial = getattr(exc, "partial", b"")
            if not reused or partial:
                raise
            await self.close()
            return await self._get(path, params)

    async def _get(self, path: str, params: dict[str, str]) -> int:
        if self.writer is None or self.reader is None or self.reader.at_eof():
            await self.close()
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        target = path + ("?" + urlencode(params) if params else "")
        self.writer.write(f"GET {target} HTTP/1.1\r\nHost: {self.host}\r\n{self.extra}\r\n"
                          .encode())
        head = await self.reader.readuntil(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split(" ", 2)[1])
        fields = {k.strip().lower(): v.strip() for k, _, v in
                  (line.partition(":") for line in lines[1:] if line)}
        if "content-length" in fields:
            await self.reader.readexactly(int(fields["content-length"]))
        elif fields.get("transfer-encoding", "").lower() == "chunked":
            while size := int((await self.reader.readuntil(b"\r\n")).strip(), 16):
                await self.reader.readexactly(size + 2)
            await self.reader.readuntil(b"\r\n")
        if fields.get("connection", "").lower() == "close":
            await self.close()
        return status

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            with contextlib.suppress(OSError):
                await self.writer.wait_closed()
        self.reader = self.writer = None


async def client(base: str, token: str, names: list[str], people: list[str], until: float,
                 seed: int, results: dict[str, list[float]], errors: dict[str, int],
                 mix: dict[str, float], *, think: float = 0.0, raw: bool = True) -> None:
    rng = random.Random(seed)
    kinds, weights = list(mix), list(mix.values())
    headers = {"Authorization": f"Bearer {token}"}
    host, port = base.removeprefix("http://").split(":")
    raw_http = RawHttp(host, int(port), headers)
    async with httpx.AsyncClient(base_url=base, headers=headers, timeout=30) as http:
        while time.perf_counter() < until:
            if think:
                await asyncio.sleep(min(rng.expovariate(1 / think),
                                        max(until - time.perf_counter(), 0)))
                if time.perf_counter() >= until:
                    break
            kind = rng.choices(kinds, weights)[0]
            url, params = _request(kind, names, people, rng)
            started = time.perf_counter()
            try:
                if raw:
                    status = await asyncio.wait_for(raw_http.get(url, params), TIMEOUT)
                else:
                    status = (await http.get(url, params=params)).status_code
                ok = status == 200
                cause = f"HTTP {status}"
            except (httpx.HTTPError, OSError, ValueError, TimeoutError,
                    asyncio.IncompleteReadError, asyncio.LimitOverrunError) as exc:
                ok = False
                cause = type(exc).__name__
                await raw_http.close()
            results[kind].append(time.perf_counter() - started)
            if not ok:
                errors[kind] += 1
                errors[f"cause: {cause}"] += 1
    await raw_http.close()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def serve(db: Path, port: int, workers: int) -> subprocess.Popen[bytes]:
    process = subprocess.Popen([*LANTERN, "serve", "--db", str(db), "--port", str(port),
                                "--workers", str(workers)], cwd=ROOT, start_new_session=True)
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/login", timeout=2).status_code == 200:
                return process
        except httpx.HTTPError:
            time.sleep(0.5)
    process.terminate()
    raise RuntimeError("lantern serve did not come up")


def group_cpu_seconds(pgid: int) -> float:
    """User + system CPU seconds of every live process in a process group (the server
    and its workers), from /proc; 0 where /proc is not there."""
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == pgid:  # fields after the name: state, ppid, pgrp, ...
            total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


@dataclass
class Run:
    """What one timed run measured, besides the latencies."""

    seconds: float
    loads: list[float] = field(default_factory=list)  # 1-min load average, each second
    client_cpu: float = 0.0
    server_cpu: float = 0.0


def report(results: dict[str, list[float]], errors: dict[str, int], run: Run, *,
           clients: int, persons: int, mix: dict[str, float], workers: int, think: float,
           client_kind: str) -> str:
    loads = run.loads or [os.getloadavg()[0]]
    model = (f"closed loop with a mean think time of {think:g} s" if think
             else "closed loop, no think time")
    lines = [f"{clients} clients ({model}, {client_kind} client), {run.seconds:.0f} s, "
             f"{persons:,} resolved persons, {workers} server workers, mix {mix}",
             f"1-min load average during the run: {min(loads):.1f}-{max(loads):.1f} "
             f"(mean {sum(loads) / len(loads):.1f}; {os.cpu_count()} cores)",
             "", "| request | n | p50 ms | p95 ms | p99 ms | errors |",
             "| --- | ---: | ---: | ---: | ---: | ---: |"]
    total = 0
    for kind in ("search", "child", "alerts", "national", "me"):
        values = np.array(results.get(kind, [])) * 1000
        total += len(values)
        if len(values) == 0:
            continue
        p50, p95, p99 = np.percentile(values, [50, 95, 99])
        lines.append(f"| {kind} | {len(values):,} | {p50:.0f} | {p95:.0f} | {p99:.0f} | "
                     f"{errors.get(kind, 0)} |")
    lines.append("")
    causes = {k.removeprefix("cause: "): v for k, v in errors.items() if k.startswith("cause")}
    lines.append(f"throughput {total / run.seconds:.0f} requests/s; errors "
                 f"{sum(causes.values())}" + (f" {causes}" if causes else ""))
    if total:
        lines.append(f"CPU per request: server {1000 * run.server_cpu / total:.1f} ms, "
                     f"load client {1000 * run.client_cpu / total:.1f} ms "
                     f"(server {run.server_cpu / run.seconds:.2f} cores, client "
                     f"{run.client_cpu / run.seconds:.2f} cores)")
    return "\n".join(lines)


async def _sample_load(run: Run, until: float) -> None:
    while time.perf_counter() < until:
        await asyncio.sleep(1)
        run.loads.append(os.getloadavg()[0])


async def _load(base: str, token: str, names: list[str], people: list[str], clients: int,
                seconds: float, mix: dict[str, float], *, think: float = 0.0,
                raw: bool = True, server_pgid: int | None = None,
                ) -> tuple[dict[str, list[float]], dict[str, int], Run]:
    results: dict[str, list[float]] = defaultdict(list)
    errors: dict[str, int] = defaultdict(int)
    run = Run(seconds)
    server_before = group_cpu_seconds(server_pgid) if server_pgid else 0.0
    client_before = time.process_time()
    until = time.perf_counter() + seconds
    await asyncio.gather(_sample_load(run, until), *[
        client(base, token, names, people, until, i, results, errors, mix, think=think,
               raw=raw) for i in range(clients)])
    run.client_cpu = time.process_time() - client_before
    if server_pgid:
        run.server_cpu = group_cpu_seconds(server_pgid) - server_before
    return results, errors, run


def per_route(base: str, token: str, names: list[str], people: list[str], kinds: list[str],
              args: argparse.Namespace, server_pgid: int | None) -> str:
    """Each kind alone: requests/s, p50 latency and the server's CPU ms per request."""
    lines = [f"each kind alone for {args.per_route:g} s with {args.clients} clients",
             "| request | n | req/s | p50 ms | server CPU ms/request | load |",
             "| --- | ---: | ---: | ---: | ---: | ---: |"]
    for kind in kinds:
        results, errors, run = asyncio.run(_load(
            base, token, names, people, args.clients, args.per_route, {kind: 1.0},
            raw=args.client == "raw", server_pgid=server_pgid))
        n = len(results[kind])
        p50 = float(np.percentile(np.array(results[kind]) * 1000, 50)) if n else 0.0
        loads = run.loads or [os.getloadavg()[0]]
        lines.append(f"| {kind} | {n:,} | {n / run.seconds:.0f} | {p50:.1f} | "
                     f"{1000 * run.server_cpu / max(n, 1):.2f} | "
                     f"{sum(loads) / len(loads):.1f} |" + (f" errors {dict(errors)}"
                                                          if errors else ""))
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", type=Path, help="an existing store that has run (else build)")
    parser.add_argument("--scale", type=float, default=0.2,
                        help="simulation scale when building (0.2 ~ 103,000 persons)")
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--warmup", type=float, default=5)
    parser.add_argument("--workers", type=int, default=2, help="lantern serve --workers")
    parser.add_argument("--mix", default="search=4,child=4,alerts=1,national=1",
                        help="request kinds and weights")
    parser.add_argument("--think", type=float, default=0.0,
                        help="mean think time between a client's requests, seconds "
                        "(default 0: closed loop without pauses)")
    parser.add_argument("--client", choices=("raw", "httpx"), default="raw",
                        help="the load client's HTTP implementation")
    parser.add_argument("--url", help="a server already running (e.g. http://127.0.0.1:8000) "
                        "on the store given by --db, instead of starting one; the server's "
                        "CPU time is then not measured")
    parser.add_argument("--per-route", type=float, default=0.0, metavar="SECONDS",
                        help="instead of the mixed run: each request kind alone for SECONDS "
                        "with --clients clients, against one server; prints the server's CPU "
                        "milliseconds per request of each kind")
    args = parser.parse_args()
    mix = {k: float(v) for k, v in (part.split("=") for part in args.mix.split(","))}
    os.chdir(ROOT)
    db = args.db or build_world(Path(tempfile.mkdtemp(prefix="lantern-load-")),
                                scale=args.scale)
    token, names, people, persons = prepare(db)
    port = _free_port()
    server = None if args.url else serve(db, port, args.workers)
    server_pgid = server.pid if server else None
    raw = args.client == "raw"
    try:
        base = args.url.rstrip("/") if args.url else f"http://127.0.0.1:{port}"
        asyncio.run(_load(base, token, names, people, 5, args.warmup, mix, raw=raw))
        if args.per_route:
            print(per_route(base, token, names, people, list(mix), args, server_pgid))
            return
        results, errors, run = asyncio.run(_load(
            base, token, names, people, args.clients, args.seconds, mix, think=args.think,
            raw=raw, server_pgid=server_pgid))
        print(report(results, errors, run, clients=args.clients, persons=persons, mix=mix,
                     workers=args.workers, think=args.think, client_kind=args.client))
        print(f"store: {db}")
    finally:
        if server is not None:
            stop(server)


def stop(server: subprocess.Popen[bytes]) -> None:
    os.killpg(server.pid, signal.SIGTERM)
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait()


if __name__ == "__main__":
    main()
