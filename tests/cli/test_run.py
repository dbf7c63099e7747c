"""``lantern run`` end to end on a tiny simulated world: every contract output, exactly."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from lantern.cli.main import app
from lantern.contract import vocabulary
from lantern.evaluate.io import load_run, load_truth
from lantern.evaluate.score import evaluate
from lantern.simulate.world import tiny_world

runner = CliRunner()


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("world")
    tiny_world(out, seed=3)
    return out


def _run(world: Path, out: Path, db: Path, *submissions: Path) -> object:
    args = ["run", *map(str, submissions or [world / "submissions"]), "--areas",
            str(world / "areas.csv"), "--out", str(out), "--db", str(db), "--quiet"]
    return runner.invoke(app, args)


def test_run_writes_every_contract_output(world: Path, tmp_path: Path) -> None:
    result = _run(world, tmp_path / "out", tmp_path / "lantern.db")
    assert result.exit_code == 0, result.output
    outputs = vocabulary().outputs
    for name, columns in outputs.items():
        frame = pd.read_csv(tmp_path / "out" / name, dtype=str)
        assert list(frame.columns[: len(columns)]) == list(columns), name
    persons = pd.read_csv(tmp_path / "out" / "persons.csv", dtype=str)
    submitted = pd.concat(
        pd.read_csv(path, dtype=str).assign(
            agency=json.loads((path.parent / "manifest.json").read_text())["agency"]["code"]
        )[["agency", "person_ref"]]
        for path in (world / "submissions").glob("*/persons.csv")
    ).drop_duplicates()
    # one row per person record (a ref sent again in a later extract is the same record)
    assert len(persons) == len(submitted)
    assert not persons.duplicated(["agency", "person_ref"]).any()
    assert persons["person_id"].notna().all()
    assert persons["person_id"].nunique() < len(persons)  # records were joined up
    risk = pd.read_csv(tmp_path / "out" / "risk.csv", dtype=str)
    assert set(risk["risk"]) <= {"none", "low", "medium", "high"}
    assert set(risk["identified_victim"]) <= {"true", "false"}
    stats = pd.read_csv(tmp_path / "out" / "area_stats.csv", dtype=str)
    areas = set(pd.read_csv(world / "areas.csv", dtype=str)["area"])
    assert set(stats["area"]) <= areas and len(stats) > 0
    # Quality floors against the truth, so that a change that wrecks linkage (for example
    # one that chains thousands of records into one person) fails here, not in the demo.
    scores = evaluate(load_truth(world), load_run(tmp_path / "out"))
    assert scores["linkage"]["precision"] >= 0.98  # measured 0.994
    assert scores["linkage"]["recall"] >= 0.91  # measured 0.931 (1,003 records)
    assert scores["victims"]["recall_medium_or_above"] >= 0.8


def test_a_refused_submission_is_one_line_and_the_rest_still_run(
    world: Path, tmp_path: Path
) -> None:
    good = sorted((world / "submissions").iterdir())[0]
    broken = tmp_path / "broken"
    shutil.copytree(good, broken)
    manifest = json.loads((broken / "manifest.json").read_text())
    manifest["contract"] = "99"
    manifest["submission_id"] = "BROKEN-1"
    (broken / "manifest.json").write_text(json.dumps(manifest))
    result = _run(world, tmp_path / "out", tmp_path / "lantern.db", good, broken)
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert (tmp_path / "out" / "persons.csv").exists()


@pytest.mark.slow
def test_run_on_a_demo_sized_world_keeps_linkage_and_groups_sound(tmp_path: Path) -> None:
    """25,000 records: large enough for chaining to show (a broken model once merged
    thousands of records into one person here while the tiny world still looked fine)."""
    from lantern.simulate.world import generate

    world = tmp_path / "world"
    generate(world, scale=0.02, seed=2026)
    result = _run(world, tmp_path / "out", tmp_path / "lantern.db")
    assert result.exit_code == 0, result.output
    scores = evaluate(load_truth(world), load_run(tmp_path / "out"))
    assert scores["linkage"]["precision"] >= 0.99  # measured 0.994
    assert scores["linkage"]["recall"] >= 0.96  # measured 0.966
    assert scores["linkage"]["f1"] >= 0.975  # measured 0.980
    assert scores["groups"]["ari"] >= 0.95  # measured 0.984
    assert scores["groups"]["offender_recall"] >= 0.95  # measured 0.969
    assert scores["groups"]["cross_area_recall"] >= 0.85  # measured 0.905 (19 of 21)
