"""Generated submissions load through the real ingest: clean worlds quarantine nothing,
damaged ones quarantine exactly the damaged lines."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from sqlalchemy import Engine, select

from lantern.ingest import discover, load_areas, load_submission
from lantern.simulate.badrows import WARN_ONLY
from lantern.simulate.world import WorldSummary, tiny_world
from lantern.store.db import open_store
from lantern.store.tables.core import dq_warnings, quarantine, submissions


def load_world(world: Path, db: Path) -> tuple[Engine, int, int, int]:
    engine = open_store(f"sqlite:///{db}")
    load_areas(engine, world / "areas.csv")
    read = quarantined = warned = 0
    for path in discover([world / "submissions"]):
        report = load_submission(engine, path)
        read += report.rows_read
        quarantined += report.rows_quarantined
        warned += report.rows_warned
    return engine, read, quarantined, warned


def test_clean_world_loads_without_quarantine(
    tiny: tuple[Path, WorldSummary], tmp_path: Path
) -> None:
    world, summary = tiny
    _, read, quarantined, warned = load_world(world, tmp_path / "l.db")
    assert read > summary.person_records
    assert quarantined == 0
    assert warned == 0


def test_bad_rows_are_quarantined_where_injected(tmp_path: Path) -> None:
    world = tmp_path / "bad"
    summary = tiny_world(world, seed=2, bad_rows=0.03)
    assert summary.bad_rows > 20
    engine, _, quarantined, warned = load_world(world, tmp_path / "b.db")
    faults = pd.read_csv(world / "truth" / "bad_rows.csv")
    hard = faults[~faults.fault.isin(WARN_ONLY)]
    soft = faults[faults.fault.isin(WARN_ONLY)]
    assert quarantined >= len(hard) > 0
    assert warned >= 1
    with engine.connect() as conn:
        q = pd.DataFrame(
            conn.execute(
                select(submissions.c.submission_id, quarantine.c.file, quarantine.c.line).join(
                    submissions, submissions.c.id == quarantine.c.submission_pk
                )
            ).all()
        )
        w = pd.DataFrame(
            conn.execute(
                select(submissions.c.submission_id, dq_warnings.c.file, dq_warnings.c.line).join(
                    submissions, submissions.c.id == dq_warnings.c.submission_pk
                )
            ).all()
        )
    got = set(zip(q.submission_id, q.file, q.line, strict=True))
    want = set(zip(hard.submission_id, hard.file, hard.line, strict=True))
    assert want <= got
    warned_lines = set(zip(w.submission_id, w.file, w.line, strict=True))
    assert set(zip(soft.submission_id, soft.file, soft.line, strict=True)) <= warned_lines | got
