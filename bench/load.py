"""Load test of the web API: N concurrent clients for S seconds on loopback.

    .venv/bin/python bench/load.py                      # builds a ~100k-person world
    .venv/bin/python bench/load.py --db /tmp/w/lantern.db --clients 50 --seconds 60

Builds (unless --db points at a store that has already run) a simulated world with
``lantern simulate`` and ``lantern run``, starts ``lantern serve`` in a subprocess, and
runs clients that each loop over a mix of requests as an analyst: fuzzy search (40%),
the child's page (40%), the alert queue (10%) and the national funnel (10%). Prints
p50/p95/p99 latency per kind, throughput and the error count.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

import httpx
import numpy as np
from sqlalchemy import func, select

ROOT = Path(__file__).resolve().parent.parent
LANTERN = [str(Path(sys.executable).parent / "lantern")]


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


async def client(base: str, token: str, names: list[str], people: list[str], until: float,
                 seed: int, results: dict[str, list[float]], errors: dict[str, int],
                 mix: dict[str, float]) -> None:
    rng = random.Random(seed)
    kinds, weights = list(mix), list(mix.values())
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(base_url=base, headers=headers, timeout=30) as http:
        while time.perf_counter() < until:
            kind = rng.choices(kinds, weights)[0]
            url, params = _request(kind, names, people, rng)
            started = time.perf_counter()
            try:
                response = await http.get(url, params=params)
                ok = response.status_code == 200
            except httpx.HTTPError:
                ok = False
            results[kind].append(time.perf_counter() - started)
            if not ok:
                errors[kind] += 1


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


def report(results: dict[str, list[float]], errors: dict[str, int], seconds: float,
           clients: int, persons: int, mix: dict[str, float]) -> str:
    lines = [f"{clients} clients, {seconds:.0f} s, {persons:,} resolved persons, "
             f"mix {mix}; 1-min load average at the end {os.getloadavg()[0]:.1f} (2 cores)",
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
    lines.append(f"throughput {total / seconds:.0f} requests/s; errors "
                 f"{sum(errors.values())}")
    return "\n".join(lines)


async def _load(base: str, token: str, names: list[str], people: list[str], clients: int,
                seconds: float, mix: dict[str, float]
                ) -> tuple[dict[str, list[float]], dict[str, int]]:
    results: dict[str, list[float]] = defaultdict(list)
    errors: dict[str, int] = defaultdict(int)
    until = time.perf_counter() + seconds
    await asyncio.gather(*[client(base, token, names, people, until, i, results, errors, mix)
                           for i in range(clients)])
    return results, errors


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", type=Path, help="an existing store that has run (else build)")
    parser.add_argument("--scale", type=float, default=0.17,
                        help="simulation scale when building (0.17 ~ 100k persons)")
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--warmup", type=float, default=5)
    parser.add_argument("--workers", type=int, default=2, help="lantern serve --workers")
    parser.add_argument("--mix", default="search=4,child=4,alerts=1,national=1",
                        help="request kinds and weights")
    args = parser.parse_args()
    mix = {k: float(v) for k, v in (part.split("=") for part in args.mix.split(","))}
    os.chdir(ROOT)
    db = args.db or build_world(Path(tempfile.mkdtemp(prefix="lantern-load-")),
                                scale=args.scale)
    token, names, people, persons = prepare(db)
    port = _free_port()
    server = serve(db, port, args.workers)
    try:
        base = f"http://127.0.0.1:{port}"
        asyncio.run(_load(base, token, names, people, 5, args.warmup, mix))
        results, errors = asyncio.run(_load(base, token, names, people, args.clients,
                                            args.seconds, mix))
        print(report(results, errors, args.seconds, args.clients, persons, mix))
        print(f"store: {db}")
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()


if __name__ == "__main__":
    main()
