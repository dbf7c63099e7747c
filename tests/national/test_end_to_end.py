"""`lantern run` -> area_stats.csv -> report -> national export -> hub import, on a tiny world."""

from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from lantern.cli.main import app

runner = CliRunner()


@pytest.mark.slow
def test_run_report_export_import(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from lantern.simulate.world import tiny_world

    world = tmp_path / "world"
    tiny_world(world, seed=2)
    db = str(tmp_path / "lantern.db")
    out = tmp_path / "out"
    result = runner.invoke(app, ["run", str(world / "submissions"), "--areas",
                                 str(world / "areas.csv"), "--out", str(out), "--db", db,
                                 "--quiet"])
    assert result.exit_code == 0, result.output
    stats = pd.read_csv(out / "area_stats.csv")
    assert list(stats.columns[:9]) == ["area", "year", "children_identified",
                                       "children_high_risk", "rate_per_10k", "funnel",
                                       "estimated_total", "estimated_low", "estimated_high"]
    truth = pd.read_csv(world / "truth" / "area_year.csv")
    both = stats.merge(truth, on=["area", "year"])
    assert len(both) == len(truth)
    truth_col = "identified_children" if "identified_children" in truth else "identified"
    # identity resolution is imperfect, so allow a small difference per area-year
    assert ((both["children_identified"] - both[truth_col]).abs()
            <= 0.1 * both[truth_col] + 2).all()
    assert set(stats["funnel"]) <= {"within", "above", "below"}
    est = stats.dropna(subset=["estimated_total"])
    assert (est["estimated_low"] <= est["estimated_total"]).all()

    report = tmp_path / "report.html"
    result = runner.invoke(app, ["report", "--out", str(report), "--db", db])
    assert result.exit_code == 0, result.output
    assert report.read_text().count("<svg") == 4
    assert report.with_suffix(".pdf").read_bytes()[:4] == b"%PDF"

    monkeypatch.setenv("LANTERN_SECRET", "a-deployment-secret-for-tests")
    monkeypatch.setenv("LANTERN_LINKAGE_KEY", "a-linkage-key-shared-by-areas")
    ret = tmp_path / "return"
    result = runner.invoke(app, ["national", "export", "--out", str(ret), "--db", db])
    assert result.exit_code == 0, result.output
    persons = pd.concat(pd.read_csv(p, dtype=str) for p in
                        (world / "submissions").glob("*/persons.csv"))
    text = "\n".join(p.read_text() for p in ret.iterdir())
    for name in persons["surname"].dropna().unique()[:200]:
        assert f",{name}," not in text
    for dob in persons["date_of_birth"].dropna().unique()[:200]:
        if len(dob) == 10:
            assert dob not in text

    hub = tmp_path / "hub"
    result = runner.invoke(app, ["national", "import", str(ret), "--out", str(hub)])
    assert result.exit_code == 0, result.output
    national = pd.read_csv(hub / "national_figures.csv")
    assert (national["children_identified"] % 5 == 0).all()
