"""``lantern simulate`` and ``lantern evaluate`` from the command line."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from typer.testing import CliRunner

from lantern.cli import evaluate as evaluate_cli
from lantern.cli import simulate as simulate_cli
from lantern.evaluate import load_truth, truth_as_run, write_run


def app() -> typer.Typer:
    root = typer.Typer()
    simulate_cli.register(root)
    evaluate_cli.register(root)
    return root


def test_simulate_then_evaluate(tmp_path: Path) -> None:
    runner = CliRunner()
    world = tmp_path / "world"
    result = runner.invoke(
        app(),
        [
            "simulate",
            "--out",
            str(world),
            "--scale",
            "0.0004",
            "--areas",
            "2",
            "--seed",
            "1",
            "--years",
            "2013",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "person records" in result.output
    subs = sorted(p.name for p in (world / "submissions").iterdir())
    assert len(subs) == 10 and all(s.endswith("-2013") for s in subs)
    write_run(tmp_path / "run", truth_as_run(load_truth(world)))
    result = runner.invoke(
        app(), ["evaluate", "--truth", str(world), "--run", str(tmp_path / "run"), "--json"]
    )
    assert result.exit_code == 0, result.output
    scores = json.loads(result.output)
    assert scores["linkage"]["f1"] == 1.0
    result = runner.invoke(
        app(), ["evaluate", "--truth", str(world), "--run", str(tmp_path / "run")]
    )
    assert result.exit_code == 0
    assert "pairwise precision" in result.output


def test_bad_options_are_one_line_errors(tmp_path: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(app(), ["simulate", "--out", str(tmp_path), "--years", "20x"])
    assert isinstance(result.exception, simulate_cli.CliError)
    result = runner.invoke(app(), ["evaluate", "--truth", str(tmp_path), "--run", str(tmp_path)])
    assert isinstance(result.exception, evaluate_cli.CliError)
