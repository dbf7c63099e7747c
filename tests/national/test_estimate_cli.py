"""`lantern estimate` on capture-history files: text, JSON and the no-estimate message."""

import json
from pathlib import Path

from typer.testing import CliRunner

from lantern.cli.main import app

FIXTURES = Path(__file__).parents[1] / "fixtures" / "mse"
runner = CliRunner()


def test_estimate_json_reproduces_published_value() -> None:
    result = runner.invoke(app, ["estimate", str(FIXTURES / "Western.csv"), "--json",
                                 "--no-heterogeneity"])
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert {"estimate", "low", "high", "model", "observed"} <= set(out)
    assert abs(out["estimate"] - 2483) < 0.05 * 2483
    assert out["model"] == "main effects + A:E"
    assert out["observed"] == 345
    assert out["low"] < out["estimate"] < out["high"]


def test_estimate_text_default_uses_heterogeneity() -> None:
    result = runner.invoke(app, ["estimate", str(FIXTURES / "Korea.csv")])
    assert result.exit_code == 0, result.output
    assert "estimate" in result.stdout and "heterogeneity" in result.stdout


def test_no_estimate_is_one_clear_line(tmp_path: Path) -> None:
    path = tmp_path / "apart.csv"
    path.write_text("A,B,C,count\n1,0,0,4\n0,1,0,9\n0,0,1,2\n")
    result = runner.invoke(app, ["estimate", str(path)])
    assert result.exit_code != 0
    assert isinstance(result.exception, Exception)
    assert "overlap" in str(result.exception)
    assert "Traceback" not in result.output
    as_json = runner.invoke(app, ["estimate", str(path), "--json"])
    out = json.loads(as_json.stdout)
    assert out["estimate"] is None and "overlap" in out["reason"]


def test_bad_table_message(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("A,B,n\n1,0,4\n")
    result = runner.invoke(app, ["estimate", str(path)])
    assert result.exit_code != 0
    assert "count" in str(result.exception)
