"""Whole-submission errors: one clear line, and nothing loaded."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine

from lantern.ingest import SubmissionError, discover, load_submission
from tests.ingest.ingest_helpers import MANIFEST, PERSONS, counts, write_submission


def refuse(engine: Engine, path: Path, match: str) -> None:
    before = counts(engine)
    with pytest.raises(SubmissionError, match=match) as info:
        load_submission(engine, path)
    message = str(info.value)
    assert "\n" not in message and len(message) < 300
    assert counts(engine) == before, "a refused submission must leave the store as it was"


def test_no_manifest(store: Engine, tmp_path: Path) -> None:
    folder = write_submission(tmp_path)
    (folder / "manifest.json").unlink()
    refuse(store, folder, "no manifest.json")
    with pytest.raises(SubmissionError, match="no manifest.json"):
        discover([folder])


def test_broken_json(store: Engine, tmp_path: Path) -> None:
    folder = write_submission(tmp_path)
    (folder / "manifest.json").write_text('{"contract": "1",', encoding="utf-8")
    refuse(store, folder, "not valid JSON")


BAD_MANIFESTS: list[tuple[dict[str, Any], str]] = [
    ({"contract": "2"}, "unsupported contract version '2'"),
    ({"area": "ZZ999999"}, "unknown area 'ZZ999999'"),
    ({"agency": {"code": "TST", "type": "police_force"}}, "unknown agency type"),
    ({"submission_id": ""}, "submission_id"),
    ({"extracted_at": "last Tuesday"}, "extracted_at"),
]


def test_bad_manifest(store: Engine, tmp_path: Path) -> None:
    for i, (change, match) in enumerate(BAD_MANIFESTS):
        refuse(store, write_submission(tmp_path, name=f"s{i}", **change), match)


def test_manifest_without_required_key(store: Engine, tmp_path: Path) -> None:
    folder = write_submission(tmp_path)
    data = {k: v for k, v in MANIFEST.items() if k != "agency"}
    (folder / "manifest.json").write_text(json.dumps(data), encoding="utf-8")
    refuse(store, folder, "agency")


def test_unknown_file(store: Engine, tmp_path: Path) -> None:
    refuse(store, write_submission(tmp_path, {"vehicles.csv": "x\n1\n"}),
           "unknown file in submission: 'vehicles.csv'")


def test_missing_required_file(store: Engine, tmp_path: Path) -> None:
    for missing in ("persons.csv", "events.csv"):
        folder = write_submission(tmp_path, name=missing)
        (folder / missing).unlink()
        refuse(store, folder, f"missing required file {missing}")


def test_not_utf8(store: Engine, tmp_path: Path) -> None:
    latin1 = "person_ref,forename\nP1,Zoë\n".encode("latin-1")
    refuse(store, write_submission(tmp_path, {"persons.csv": latin1}),
           r"persons.csv is not UTF-8 \(byte 0xeb on line 2\)")


def test_missing_header_column(store: Engine, tmp_path: Path) -> None:
    events = "event_ref,kind\nE1,referral\n"
    refuse(store, write_submission(tmp_path, {"events.csv": events}),
           "events.csv is missing required column.*occurred_on")


def test_empty_file(store: Engine, tmp_path: Path) -> None:
    refuse(store, write_submission(tmp_path, {"persons.csv": ""}), "persons.csv is empty")


def _zip(path: Path, members: dict[str, str]) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return path


def test_zip_slip_refused(store: Engine, tmp_path: Path) -> None:
    for i, evil in enumerate(["../persons.csv", "/etc/persons.csv", "sub/../../x.csv",
                              "C:/temp/persons.csv", "..\\persons.csv"]):
        members = {"manifest.json": json.dumps(MANIFEST), "persons.csv": PERSONS,
                   "events.csv": "event_ref,kind,occurred_on\n", evil: "boom"}
        refuse(store, _zip(tmp_path / f"evil{i}.zip", members), "escapes the submission folder")


def test_zip_with_unknown_member(store: Engine, tmp_path: Path) -> None:
    members = {"manifest.json": json.dumps(MANIFEST), "persons.csv": PERSONS,
               "events.csv": "event_ref,kind,occurred_on\n", "notes.txt": "hello"}
    refuse(store, _zip(tmp_path / "s.zip", members), "unknown file in submission: 'notes.txt'")


def test_not_a_zip(store: Engine, tmp_path: Path) -> None:
    path = tmp_path / "broken.zip"
    path.write_bytes(b"not a zip at all")
    refuse(store, path, "not a readable zip")
