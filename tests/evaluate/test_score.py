"""Scoring: the truth fed back as a run scores 1.0; damaged runs score less."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from lantern.evaluate import Truth, evaluate, load_run, load_truth, mislink, truth_as_run, write_run
from lantern.evaluate.report import HEADLINES
from lantern.simulate.world import tiny_world

PERFECT = {
    "linkage": ("precision", "recall", "f1"),
    "victims": ("recall_high", "recall_medium_or_above", "precision_high"),
    "groups": HEADLINES["groups"],
    "hidden": ("coverage",),
    "missed": ("recall", "precision"),
}


@pytest.fixture(scope="module")
def truth(tmp_path_factory: pytest.TempPathFactory) -> Truth:
    out = tmp_path_factory.mktemp("world")
    tiny_world(out, seed=5)
    return load_truth(out)


def test_truth_as_run_scores_one(truth: Truth, tmp_path: Path) -> None:
    write_run(tmp_path, truth_as_run(truth))
    scores = evaluate(truth, load_run(tmp_path))
    for section, keys in PERFECT.items():
        for key in keys:
            assert scores[section][key] == pytest.approx(1.0), (section, key)
    assert scores["counts"]["mae"] == 0.0
    assert scores["counts"]["mean_relative_error"] == 0.0
    assert scores["hidden"]["mean_relative_error"] == 0.0


def test_mislinked_records_score_below_one(truth: Truth) -> None:
    run = mislink(truth_as_run(truth), share=0.1, seed=1)
    scores = evaluate(truth, run)
    assert scores["linkage"]["precision"] < 0.95
    assert scores["linkage"]["recall"] < 1.0
    assert scores["linkage"]["f1"] < 1.0
    assert scores["groups"]["ari"] < 1.0


def test_splitting_everyone_keeps_precision_and_loses_recall(truth: Truth) -> None:
    run = truth_as_run(truth)
    persons = run["persons.csv"].copy()
    persons["person_id"] = persons.agency + "/" + persons.person_ref
    scores = evaluate(truth, {**run, "persons.csv": persons})
    assert scores["linkage"]["recall"] == 0.0
    assert scores["linkage"]["precision"] is None  # no pair predicted at all


def test_missing_victims_and_wrong_counts(truth: Truth) -> None:
    run = truth_as_run(truth)
    risk = run["risk.csv"].copy()
    high = risk.index[risk.risk == "high"]
    risk.loc[high[: len(high) // 2], "risk"] = "medium"
    risk.loc[risk.index[risk.risk == "low"][:5], "risk"] = "high"
    stats = run["area_stats.csv"].copy()
    stats["children_identified"] = stats.children_identified + 3
    stats["estimated_high"] = stats.estimated_total - 1
    missed = run["missed_opportunities.csv"].iloc[::2]
    scores = evaluate(
        truth,
        {**run, "risk.csv": risk, "area_stats.csv": stats, "missed_opportunities.csv": missed},
    )
    v = scores["victims"]
    assert v["recall_high"] == pytest.approx(1 - (len(high) // 2) / len(high), abs=0.01)
    assert v["recall_medium_or_above"] == 1.0
    assert v["precision_high"] < 1.0
    assert scores["counts"]["mae"] == 3.0
    assert scores["hidden"]["coverage"] == 0.0
    assert 0.4 < scores["missed"]["recall"] < 0.6
    assert scores["missed"]["precision"] == 1.0


def test_missing_or_empty_outputs_are_not_available(truth: Truth, tmp_path: Path) -> None:
    run = truth_as_run(truth)
    write_run(tmp_path, {"persons.csv": run["persons.csv"], "risk.csv": run["risk.csv"].iloc[0:0]})
    scores = evaluate(truth, load_run(tmp_path))
    assert scores["linkage"]["f1"] == 1.0
    assert scores["victims"]["recall_high"] is None
    assert scores["groups"]["ari"] is None
    assert scores["hidden"]["coverage"] is None
    assert scores["missed"]["recall"] is None
    nothing = evaluate(truth, load_run(tmp_path / "absent"))
    assert nothing["linkage"]["precision"] is None
    assert nothing["victims"]["recall_high"] is None


def test_run_records_map_to_majority_identity(truth: Truth) -> None:
    run = truth_as_run(truth)
    persons = run["persons.csv"].copy()
    # Rename every cluster: scores must not depend on the run's id spelling.
    persons["person_id"] = "R-" + persons.person_id.str[::-1]
    rename = dict(zip(run["persons.csv"].person_id, persons.person_id, strict=True))
    renamed = {
        name: frame.assign(person_id=frame.person_id.map(rename))
        if "person_id" in frame and name != "persons.csv"
        else frame
        for name, frame in run.items()
    }
    renamed["persons.csv"] = persons
    scores = evaluate(truth, renamed)
    assert scores["victims"]["recall_high"] == 1.0
    assert scores["groups"]["ari"] == 1.0
    assert isinstance(truth.area_year, pd.DataFrame)
