"""Through the whole pipeline: shuffling ethnicity changes no linkage, risk or alert."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from lantern.ingest import discover, load_areas, load_submission
from lantern.pipeline import run_stages, stage_modules, write_outputs
from lantern.simulate.world import tiny_world
from lantern.store.db import open_store

OUTPUTS = ("persons.csv", "risk.csv", "missed_opportunities.csv")


def shuffle_ethnicity(world: Path, seed: int) -> None:
    """Permute the ethnicity column across every person record of every submission."""
    files = sorted((world / "submissions").glob("*/persons.csv"))
    frames = [pd.read_csv(f, dtype=str, keep_default_na=False) for f in files]
    codes = np.concatenate([f["ethnicity"].to_numpy() for f in frames])
    codes = np.random.default_rng(seed).permutation(codes)
    start = 0
    for path, frame in zip(files, frames, strict=True):
        frame["ethnicity"] = codes[start:start + len(frame)]
        start += len(frame)
        frame.to_csv(path, index=False, lineterminator="\n")


def run_world(world: Path, out: Path) -> dict[str, pd.DataFrame]:
    engine = open_store(f"sqlite:///{out / 'lantern.db'}")
    load_areas(engine, world / "areas.csv")
    for path in discover([world / "submissions"]):
        load_submission(engine, path)
    run_stages(engine)
    write_outputs(engine, out, stage_modules())
    engine.dispose()
    return {name: pd.read_csv(out / name, dtype=str) for name in OUTPUTS}


@pytest.mark.slow
def test_shuffled_ethnicity_gives_identical_outputs(tmp_path: Path) -> None:
    world = tmp_path / "world"
    tiny_world(world, seed=3)
    shuffled = tmp_path / "shuffled"
    shutil.copytree(world, shuffled)
    shuffle_ethnicity(shuffled, seed=1)
    before = pd.concat(pd.read_csv(f, dtype=str) for f in
                       sorted((world / "submissions").glob("*/persons.csv")))
    after = pd.concat(pd.read_csv(f, dtype=str) for f in
                      sorted((shuffled / "submissions").glob("*/persons.csv")))
    assert (before["ethnicity"].fillna("") != after["ethnicity"].fillna("")).sum() > 50
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    first = run_world(world, tmp_path / "a")
    second = run_world(shuffled, tmp_path / "b")
    assert len(first["risk.csv"]) > 0 and len(first["missed_opportunities.csv"]) > 0
    for name in OUTPUTS:
        pd.testing.assert_frame_equal(first[name], second[name], obj=name)
