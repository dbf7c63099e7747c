"""Ingest benchmark: generate synthetic contract submissions, load them, print rows/s.

Default size: 1,000,000 person records, 3,000,000 events and 3,000,000 links, split
into submissions from several agencies (as real monthly extracts would arrive), all
SYNTHETIC. Loads into a fresh SQLite file, and into PostgreSQL when ``--pg URL`` or
``LANTERN_TEST_PG_URL`` is given (a fresh database is created there and dropped).

    .venv/bin/python bench/ingest.py                 # full size, SQLite (+ PG if env set)
    .venv/bin/python bench/ingest.py --scale 0.05    # a quick run
    .venv/bin/python bench/ingest.py --pg postgresql://user@host:5432/postgres
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import tempfile
import time
import uuid
from pathlib import Path

import numpy as np
import pandas as pd
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from lantern.ingest import discover, load_areas, load_submission
from lantern.store.db import open_store, resolve_url

FORENAMES = np.array(["Aiden", "Bea", "Cara", "Dev", "Ezra", "Faye", "Gus", "Hana", "Ivo",
                      "Jada", "Kit", "Lola", "Milo", "Nell", "Otis", "Pia", "Quin", "Rae"])
SURNAMES = np.array(["Ashby", "Brook", "Carver", "Dale", "Ellery", "Frost", "Garner", "Hale",
                     "Ince", "Jessop", "Kerr", "Lowe", "Marsh", "Nokes", "Orme", "Pike"])
EVENT_KINDS = np.array(["missing_episode", "return_interview", "stop_check", "referral",
                        "crime_report", "welfare_concern", "ae_attendance", "absence"])
INDICATORS = np.array(["", "", "missing_from_home", "school_absence;older_associates",
                       "seen_in_vehicles", "cse_concern", "substance_misuse"])
ROLES = np.array(["subject", "victim", "suspect", "associate", "witness"])
AGENCIES = [("BNP", "police"), ("BNSC", "social_care"), ("BNH", "health"),
            ("BNE", "education")]


def _write(path: Path, frame: pd.DataFrame) -> None:
    frame.to_csv(path, index=False, lineterminator="\n")


def generate(root: Path, *, persons: int, events: int, links: int, submissions: int,
             seed: int = 7) -> int:
    """Write ``submissions`` synthetic submissions under ``root``; returns rows written."""
    rng = np.random.default_rng(seed)
    root.mkdir(parents=True, exist_ok=True)
    pd.DataFrame({"area": ["ZZ000001"], "name": ["Benchshire (fictional)"],
                  "child_population": [250000]}).to_csv(root / "areas.csv", index=False)
    per = [max(1, n // submissions) for n in (persons, events, links)]
    total = 0
    for s in range(submissions):
        code, kind = AGENCIES[s % len(AGENCIES)]
        folder = root / "submissions" / f"{code}-{s:03d}"
        folder.mkdir(parents=True)
        manifest = {"contract": "1", "submission_id": f"{code}-{s:03d}",
                    "agency": {"code": code, "type": kind, "name": f"{code} (synthetic)"},
                    "area": "ZZ000001", "extracted_at": f"2024-01-01T00:00:{s % 60:02d}Z"}
        (folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
        n_p, n_e, n_l = per
        base = s * n_p
        pids = np.arange(base, base + n_p)
        year = rng.integers(1960, 2012, n_p)
        month = rng.integers(1, 13, n_p)
        day = rng.integers(1, 29, n_p)
        dob = pd.Series(year).astype(str) + "-" + pd.Series(month).map("{:02d}".format) + "-" \
            + pd.Series(day).map("{:02d}".format)
        district = rng.integers(1, 99, n_p)
        phone = pd.Series(rng.integers(900000, 900999, n_p)).map("07700 {}".format)
        phone[rng.random(n_p) < 0.5] = ""
        _write(folder / "persons.csv", pd.DataFrame({
            "person_ref": pd.Series(pids).map("P{:08d}".format),
            "forename": FORENAMES[rng.integers(0, len(FORENAMES), n_p)],
            "surname": SURNAMES[rng.integers(0, len(SURNAMES), n_p)],
            "date_of_birth": dob,
            "sex": np.array(["F", "M", "U", ""])[rng.integers(0, 4, n_p)],
            "postcode": pd.Series(district).map("ZZ{} 1AA".format),
            "phone": phone,
        }))
        eids = np.arange(s * n_e, s * n_e + n_e)
        dates = pd.Timestamp("2020-01-01") + pd.to_timedelta(rng.integers(0, 1500, n_e), "D")
        _write(folder / "events.csv", pd.DataFrame({
            "event_ref": pd.Series(eids).map("E{:09d}".format),
            "kind": EVENT_KINDS[rng.integers(0, len(EVENT_KINDS), n_e)],
            "occurred_on": dates.strftime("%Y-%m-%d"),
            "indicators": INDICATORS[rng.integers(0, len(INDICATORS), n_e)],
            "summary": "synthetic event",
        }))
        link_events = np.sort(rng.integers(0, n_e, n_l)) + s * n_e
        linked = pd.DataFrame({
            "event_ref": pd.Series(link_events).map("E{:09d}".format),
            "entity": "person",
            "ref": pd.Series(rng.integers(base, base + n_p, n_l)).map("P{:08d}".format),
            "role": ROLES[rng.integers(0, len(ROLES), n_l)],
        })
        linked = linked.drop_duplicates(["event_ref", "ref"])  # a repeat would be quarantined
        _write(folder / "links.csv", linked)
        total += n_p + n_e + len(linked)
    return total


def run(url: str, root: Path, rows: int) -> float:
    """Load everything under ``root`` into the store at ``url``; returns rows/s.

    Wall-clock rows/s is the figure; the CPU seconds of this process are printed too,
    because on a shared machine other work stretches the wall clock (the load average
    is shown). On PostgreSQL part of the work is the server's, outside this process.
    """
    engine = open_store(url)
    load_areas(engine, root / "areas.csv")
    started, cpu = time.perf_counter(), time.process_time()
    loaded = 0
    for path in discover([root / "submissions"]):
        report = load_submission(engine, path)
        loaded += report.rows_loaded
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    engine.dispose()
    assert loaded == rows, f"loaded {loaded} of {rows}"
    rate = rows / seconds
    backend = make_url(url).get_backend_name()
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"{backend:>10}: {rows:,} rows in {seconds:,.1f} s = {rate:,.0f} rows/s "
          f"(this process: {cpu:,.1f} CPU s = {rows / cpu:,.0f} rows per CPU s; "
          f"load average {load})", flush=True)
    return rate


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=float, default=1.0,
                        help="fraction of 1M persons / 3M events / 3M links (default 1)")
    parser.add_argument("--submissions", type=int, default=20)
    parser.add_argument("--pg", default=os.environ.get("LANTERN_TEST_PG_URL"),
                        help="PostgreSQL server URL (a fresh database is created on it)")
    parser.add_argument("--workdir", type=Path, default=None,
                        help="where to write the data (default: a temporary folder)")
    args = parser.parse_args()
    work = Path(args.workdir or tempfile.mkdtemp(prefix="lantern-bench-"))
    try:
        persons, events, links = (int(n * args.scale) for n in (1e6, 3e6, 3e6))
        started = time.perf_counter()
        rows = generate(work / "data", persons=persons, events=events, links=links,
                        submissions=args.submissions)
        print(f"generated {rows:,} rows ({persons:,} persons, {events:,} events, "
              f"{links:,} links) in {args.submissions} submissions in "
              f"{time.perf_counter() - started:,.0f} s; {os.cpu_count()} CPUs", flush=True)
        run(f"sqlite:///{work / 'bench.db'}", work / "data", rows)
        if args.pg:
            admin = create_engine(resolve_url(args.pg), isolation_level="AUTOCOMMIT")
            name = f"lantern_bench_{uuid.uuid4().hex[:8]}"
            with admin.connect() as conn:
                conn.execute(text(f'CREATE DATABASE "{name}"'))
            try:
                url = make_url(resolve_url(args.pg)).set(database=name)
                run(url.render_as_string(hide_password=False), work / "data", rows)
            finally:
                with admin.connect() as conn:
                    conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
                admin.dispose()
        else:
            print("postgresql: skipped (give --pg URL or set LANTERN_TEST_PG_URL)")
    finally:
        if args.workdir is None:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
