"""The ingest commands: ingest, areas load, quarantine list/show, submissions list."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from lantern.cli.common import CliError
from lantern.cli.main import app
from tests.ingest.ingest_helpers import SAMPLE, write_submission

runner = CliRunner()


@pytest.fixture
def db(tmp_path: Path) -> str:
    path = str(tmp_path / "cli.db")
    result = runner.invoke(app, ["areas", "load", str(SAMPLE / "areas.csv"), "--db", path])
    assert result.exit_code == 0, result.output
    assert "loaded 3 area(s)" in result.output
    return path


def test_ingest_sample_then_again(db: str) -> None:
    result = runner.invoke(app, ["ingest", str(SAMPLE / "submissions"), "--db", db])
    assert result.exit_code == 0, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 4 and all(line.startswith("loaded ") for line in lines)
    assert "FVH/FVH-2024-02 (ZZ000002): 17 read, 6 loaded, 11 quarantined, 3 warned" in lines[2]
    again = runner.invoke(app, ["ingest", str(SAMPLE / "submissions"), "--db", db])
    assert again.exit_code == 0
    assert again.output.count("already loaded") == 4

    listed = runner.invoke(app, ["quarantine", "list", "--submission", "FVH-2024-02",
                                 "--json", "--db", db])
    rows = json.loads(listed.output)
    assert len(rows) == 11 and {r["file"] for r in rows} == {"persons.csv", "events.csv",
                                                            "links.csv"}
    dup = next(r for r in rows if r["reason"].startswith("duplicate person_ref"))
    shown = runner.invoke(app, ["quarantine", "show", str(dup["id"]), "--db", db])
    assert shown.exit_code == 0
    assert "persons.csv" in shown.output and "H-1,Leah,,Dunmore" in shown.output
    subs = runner.invoke(app, ["submissions", "list", "--json", "--db", db])
    assert [s["submission_id"] for s in json.loads(subs.output)] == [
        "BMP-2024-01", "BMSC-2024-02", "FVH-2024-02", "BMP-2024-03"]


def test_refused_submission_is_one_line_and_fails(db: str, tmp_path: Path) -> None:
    bad = write_submission(tmp_path, area="ZZ999999")
    good = write_submission(tmp_path, name="good", submission_id="TST-2")
    result = runner.invoke(app, ["ingest", str(bad), str(good), "--db", db])
    assert isinstance(result.exception, CliError)
    assert "refused sub: unknown area 'ZZ999999'" in result.output.replace("\n", " ")
    assert "loaded TST/TST-2" in result.output  # the other submission still loads


def test_quarantine_show_unknown_id(db: str) -> None:
    result = runner.invoke(app, ["quarantine", "show", "999", "--db", db])
    assert isinstance(result.exception, CliError)


def test_bad_areas_file(tmp_path: Path) -> None:
    areas = tmp_path / "areas.csv"
    areas.write_text("area,name,child_population\nZZ1,One,12\nzz 2,Two,x\n", encoding="utf-8")
    result = runner.invoke(app, ["areas", "load", str(areas), "--db", str(tmp_path / "a.db")])
    assert isinstance(result.exception, CliError)
    assert "line 3" in str(result.exception)
