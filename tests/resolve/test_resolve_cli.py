"""``lantern resolve`` and ``lantern review`` end to end on a SQLite store."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from lantern.cli.main import app
from lantern.ingest import load_areas, load_submission
from lantern.resolve.synthetic import write_submissions
from lantern.store.db import open_store

runner = CliRunner()


def test_resolve_then_review_accept_reject_unmerge(small, model_file, tmp_path):
    db = str(tmp_path / "cli.db")
    engine = open_store(db)
    areas, folders = write_submissions(small, tmp_path / "subs")
    load_areas(engine, areas)
    for folder in folders:
        load_submission(engine, folder)

    result = runner.invoke(app, ["resolve", "--db", db, "--model", str(model_file)])
    assert result.exit_code == 0, result.output
    assert "people" in result.output

    listed = runner.invoke(app, ["review", "list", "--db", db, "--json"])
    assert listed.exit_code == 0, listed.output
    pairs = json.loads(listed.output)
    assert len(pairs) >= 2 and {"forename_l", "forename_r"} <= set(pairs[0])
    assert not any(key.startswith("ethnicity") for key in pairs[0])

    first, second = str(pairs[0]["id"]), str(pairs[1]["id"])
    ok = runner.invoke(app, ["review", "accept", first, "--db", db, "--by", "alice",
                             "--reason", "same phone"])
    assert ok.exit_code == 0, ok.output
    ok = runner.invoke(app, ["review", "reject", second, "--db", db, "--by", "bob",
                             "--reason", "twins"])
    assert ok.exit_code == 0, ok.output
    again = runner.invoke(app, ["review", "accept", first, "--db", db, "--by", "eve",
                                "--reason", "again"])
    assert again.exit_code != 0

    record = f"{pairs[0]['agency_l']}:{pairs[0]['ref_l']}"
    unmerge = runner.invoke(app, ["review", "unmerge", record, "--db", db, "--reason", "wrong"])
    assert unmerge.exit_code == 0, unmerge.output
    unknown = runner.invoke(app, ["review", "unmerge", "NOPE:1", "--db", db, "--reason", "x"])
    assert unknown.exit_code != 0 and "no resolved person record" in str(unknown.exception)
    log = runner.invoke(app, ["review", "log", "--db", db, "--json"])
    decisions = json.loads(log.output)
    assert [d["decided_by"] for d in decisions[:2]] == ["alice", "bob"]
    assert decisions[-1]["source"] == "unmerge"
    changes = runner.invoke(app, ["resolve-changes", "--db", db, "--json"])
    assert changes.exit_code == 0 and "accepted by alice" in changes.output

    bad = runner.invoke(app, ["resolve", "--db", db, "--engine", "oracle"])
    assert bad.exit_code != 0
