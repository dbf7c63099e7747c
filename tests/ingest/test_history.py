"""Idempotency, supersession with history, withdrawals, zips and discovery order."""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

from sqlalchemy import Engine

from lantern.ingest import discover, load_submission
from lantern.store import frames
from lantern.store.tables.core import agencies, event_records, links, person_records, withdrawals
from tests.ingest.ingest_helpers import SAMPLE, counts, rows, write_submission


def test_same_submission_twice_changes_nothing(store: Engine, tmp_path: Path) -> None:
    folder = write_submission(tmp_path)
    first = load_submission(store, folder)
    after_first = counts(store)
    second = load_submission(store, folder)
    assert (first.status, second.status) == ("loaded", "already loaded")
    assert counts(store) == after_first
    assert first.rows_read == first.rows_loaded == 5


def test_later_version_supersedes_and_keeps_history(store: Engine, tmp_path: Path) -> None:
    load_submission(store, write_submission(tmp_path, name="a"))
    persons = "person_ref,forename,surname\nP1,Anne,Lark\nP3,Cy,Finch\n"
    events = "event_ref,kind,occurred_on\nE1,referral,2024-02-05\n"
    report = load_submission(store, write_submission(
        tmp_path, {"persons.csv": persons, "events.csv": events, "links.csv": None},
        name="b", submission_id="TST-2", extracted_at="2024-02-29T00:00:00Z"))
    assert report.superseded == 2
    history = rows(store, person_records, person_records.c.person_ref == "P1")
    assert [(r["version"], r["is_current"], r["forename"]) for r in history] == [
        (1, False, "Ann"), (2, True, "Anne")]
    current = frames.read_persons(store)
    assert sorted(current["person_ref"]) == ["P1", "P2", "P3"]
    assert current.set_index("person_ref").loc["P1", "forename"] == "Anne"
    # E1 was re-sent without links: its earlier link carries forward to version 2.
    e1 = rows(store, event_records, event_records.c.event_ref == "E1")
    assert [r["version"] for r in e1] == [1, 2]
    new_links = rows(store, links, links.c.event_record_id == e1[1]["id"])
    assert [(r["entity"], r["ref"], r["role"]) for r in new_links] == [
        ("person", "P1", "subject")]
    assert len(frames.read_links(store)) == 1


def test_resent_event_with_links_replaces_them(store: Engine, tmp_path: Path) -> None:
    load_submission(store, write_submission(tmp_path, name="a"))
    events = "event_ref,kind,occurred_on\nE1,referral,2024-01-05\n"
    linked = "event_ref,entity,ref,role\nE1,person,P2,victim\n"
    load_submission(store, write_submission(
        tmp_path, {"persons.csv": "person_ref\n", "events.csv": events, "links.csv": linked},
        name="b", submission_id="TST-2"))
    current = frames.read_links(store)
    assert list(zip(current["ref"], current["role"], strict=True)) == [("P2", "victim")]


def test_links_to_earlier_events_and_people(store: Engine, tmp_path: Path) -> None:
    load_submission(store, write_submission(tmp_path, name="a"))
    linked = "event_ref,entity,ref,role\nE2,person,P1,victim\nE1,person,P1,subject\n"
    report = load_submission(store, write_submission(
        tmp_path, {"persons.csv": "person_ref\n", "events.csv": "event_ref,kind,occurred_on\n",
                   "links.csv": linked}, name="b", submission_id="TST-2"))
    assert report.files["links.csv"].loaded == 2  # the second one was already stored
    assert sorted(zip(frames.read_links(store)["event_ref"], frames.read_links(store)["ref"],
                      strict=True)) == [("E1", "P1"), ("E2", "P1")]
    other = write_submission(tmp_path, {"links.csv": linked}, name="c",
                             agency={"code": "OTHER", "type": "health"})
    report = load_submission(store, other)  # refs of another agency are not visible
    assert report.files["links.csv"].quarantined == 0  # its own persons/events hold them


def test_withdrawn_records_leave_frames_but_stay_in_history(store: Engine,
                                                           tmp_path: Path) -> None:
    load_submission(store, write_submission(tmp_path, name="a"))
    withdrawn = "entity,ref,reason\nperson,P2,created in error\nevent,E1,\nperson,P9,\n"
    report = load_submission(store, write_submission(
        tmp_path, {"persons.csv": "person_ref\n", "events.csv": "event_ref,kind,occurred_on\n",
                   "links.csv": None, "withdrawn.csv": withdrawn},
        name="b", submission_id="TST-2"))
    assert report.withdrawn == 2
    assert report.files["withdrawn.csv"].quarantined == 1  # P9 never existed
    assert list(frames.read_persons(store)["person_ref"]) == ["P1"]
    assert list(frames.read_events(store)["event_ref"]) == ["E2"]
    assert len(rows(store, person_records)) == 2
    assert [r["reason"] for r in rows(store, withdrawals)] == ["created in error", None]


def test_agency_is_upserted_from_the_manifest(store: Engine, tmp_path: Path) -> None:
    load_submission(store, write_submission(tmp_path, name="a"))
    load_submission(store, write_submission(
        tmp_path, name="b", submission_id="TST-2",
        agency={"code": "TST", "type": "youth_justice"}))
    [agency] = rows(store, agencies)
    assert agency["type"] == "youth_justice"
    assert agency["name"] == "Test Constabulary (fictional)"  # kept when not sent


def test_zip_loads_like_its_folder(store: Engine, tmp_path: Path) -> None:
    folder = write_submission(tmp_path)
    archive = tmp_path / "sub.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for path in folder.iterdir():
            zf.write(path, f"sub/{path.name}")
        zf.writestr("sub/", "")  # a directory entry is fine
    report = load_submission(store, archive)
    assert (report.status, report.rows_loaded) == ("loaded", 5)
    assert load_submission(store, folder).status == "already loaded"


def test_discover_expands_and_orders_by_extract(tmp_path: Path) -> None:
    root = tmp_path / "submissions"
    late = write_submission(root, name="a-late", submission_id="L",
                            extracted_at="2024-03-01T00:00:00Z")
    early = write_submission(root, name="z-early", submission_id="E",
                             extracted_at="2024-01-01T00:00:00+05:00")
    shutil.make_archive(str(root / "middle"), "zip", write_submission(
        tmp_path / "staging", name="m", submission_id="M", extracted_at="2024-02-01"))
    (root / "README.txt").write_text("ignored", encoding="utf-8")
    found = discover([root])
    assert [p.name for p in found] == ["z-early", "middle.zip", "a-late"]
    assert discover([late, early]) == [early.resolve(), late.resolve()]


def test_bundled_sample_set(store: Engine) -> None:
    reports = [load_submission(store, p) for p in discover([SAMPLE / "submissions"])]
    assert [r.submission_id for r in reports] == [
        "BMP-2024-01", "BMSC-2024-02", "FVH-2024-02", "BMP-2024-03"]
    for report in reports:
        assert report.rows_loaded + report.rows_quarantined == report.rows_read
    assert reports[2].rows_quarantined > 0 and reports[2].rows_warned > 0
    assert reports[3].superseded > 0 and reports[3].withdrawn == 1
    assert "P1005" not in set(frames.read_persons(store)["person_ref"])


def test_progress_bar_does_not_change_the_load(store: Engine, tmp_path: Path) -> None:
    report = load_submission(store, write_submission(tmp_path), progress=True)
    assert (report.status, report.rows_loaded) == ("loaded", 5)
