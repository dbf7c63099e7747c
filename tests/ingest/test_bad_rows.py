"""Bad rows go to quarantine (file, line, column, reason, raw row); bad optional values warn."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import Engine

from lantern.ingest import load_submission
from lantern.store.tables.core import (
    dq_warnings,
    event_indicators,
    event_records,
    links,
    location_records,
    object_records,
    person_records,
    quarantine,
)
from tests.ingest.ingest_helpers import rows, write_submission

P_HEAD = "person_ref,forename\n"
E_HEAD = "event_ref,kind,occurred_on,location_ref,indicators,grading,grading_scheme\n"
L_HEAD = "event_ref,entity,ref,role\n"

PERSONS = P_HEAD + "P1,Ann\nP2,Bo\n,Nobody\n" + "X" * 65 + ",Long\nP1,Again\nP3,Cy,extra\n"
EVENTS = E_HEAD + (
    "E1,referral,2024-01-05,,,,\nE2,stop_check,2024-01-06,,,,\nE3,party,2024-01-07,,,,\n"
    "E4,referral,2024-02-30,,,,\nE5,referral,,,,,\nE6,intelligence_report,2024-01-07,,,,\n"
    "E7,intelligence_report,2024-01-07,,,2BX,\nE8,arrest,2024-01-07,,,B24,9x9x9\n"
    ",referral,2024-01-07,,,,\n"
)
LINKS = L_HEAD + (
    "E1,person,P1,subject\nE2,person,P404,victim\nE404,person,P2,victim\nE2,person,P2,boss\n"
    "E2,car,P2,victim\nE1,person,P1,subject\nE2,person,,victim\nE3,person,P1,victim\n"
)
# (file, line) -> (column, reason fragment)
EXPECTED = {
    ("persons.csv", 4): ("person_ref", "missing person_ref"),
    ("persons.csv", 5): ("person_ref", "person_ref is longer than 64 characters"),
    ("persons.csv", 6): ("person_ref", "duplicate person_ref 'P1' (first on line 2)"),
    ("persons.csv", 7): (None, "wrong number of columns: expected 2, got 3"),
    ("events.csv", 4): ("kind", "unknown event kind 'party'"),
    ("events.csv", 5): ("occurred_on", "bad event date"),
    ("events.csv", 6): ("occurred_on", "missing occurred_on"),
    ("events.csv", 7): ("grading", "grading is required on intelligence_report"),
    ("events.csv", 8): ("grading", "invalid grading: not a 3x5x2 grading: '2BX'"),
    ("events.csv", 9): ("grading_scheme", "unknown grading scheme '9x9x9'"),
    ("events.csv", 10): ("event_ref", "missing event_ref"),
    ("links.csv", 3): ("ref", "person 'P404' not found in this submission or earlier"),
    ("links.csv", 4): ("event_ref", "event_ref 'E404' not found"),
    ("links.csv", 5): ("role", "unknown role 'boss'"),
    ("links.csv", 6): ("entity", "unknown entity 'car'"),
    ("links.csv", 7): (None, "duplicate link (first on line 2)"),
    ("links.csv", 8): ("ref", "missing ref"),
    ("links.csv", 9): ("event_ref", "event_ref 'E3' not found"),  # E3 itself was refused
}


def test_every_bad_row_kind_is_quarantined(store: Engine, tmp_path: Path) -> None:
    files = {"persons.csv": PERSONS, "events.csv": EVENTS, "links.csv": LINKS}
    report = load_submission(store, write_submission(tmp_path, files))
    got = {(r["file"], r["line"]): r for r in rows(store, quarantine)}
    assert set(got) == set(EXPECTED)
    for (file, line), (column, reason) in EXPECTED.items():
        row = got[(file, line)]
        assert row["column"] == column, (file, line)
        assert reason in row["reason"], (file, line, row["reason"])
        assert json.loads(row["raw"]) == files[file].splitlines()[line - 1].split(",")
    for file, loaded in (("persons.csv", 2), ("events.csv", 2), ("links.csv", 1)):
        counts = report.files[file]
        assert counts.loaded == loaded
        assert counts.loaded + counts.quarantined == counts.read
    assert [r["person_ref"] for r in rows(store, person_records)] == ["P1", "P2"]
    assert [r["event_ref"] for r in rows(store, event_records)] == ["E1", "E2"]


def test_bad_rows_do_not_cost_good_rows(store: Engine, tmp_path: Path) -> None:
    persons = P_HEAD + "P1,Ann\n,Nobody\nP2,Bo\nP1,Dup\n\nP3\n"
    report = load_submission(store, write_submission(tmp_path, {"persons.csv": persons}))
    counts = report.files["persons.csv"]
    assert (counts.read, counts.loaded, counts.quarantined) == (5, 2, 3)
    assert [r["person_ref"] for r in rows(store, person_records)] == ["P1", "P2"]
    lines = sorted(r["line"] for r in rows(store, quarantine))
    assert lines == [3, 5, 7]  # the blank line 6 is not a row


def test_quoted_newline_keeps_line_numbers(store: Engine, tmp_path: Path) -> None:
    persons = 'person_ref,forename\nP1,"Ann\nMarie"\n,Nobody\n'
    load_submission(store, write_submission(tmp_path, {"persons.csv": persons}))
    [row] = rows(store, quarantine)
    assert row["line"] == 4
    assert rows(store, person_records)[0]["forename"] == "Ann\nMarie"


PERSON_COLUMNS = ("person_ref,date_of_birth,sex,postcode,phone,email,nhs_number,upn,"
                  "shoe_size\n")


def test_bad_optional_values_are_kept_raw_with_a_warning(store: Engine, tmp_path: Path) -> None:
    persons = PERSON_COLUMNS + (
        "P1,2009-02-30,Q,NOWHERE,12,nope,9434765918,BAD,9\n"
        "P2,2009-02-03,f,s60 1aa,07700 900123;07700900124,A@Example.org,943 476 5919,"
        "A12345678901B,\n"
    )
    report = load_submission(store, write_submission(tmp_path, {"persons.csv": persons}))
    assert report.files["persons.csv"].loaded == 2
    assert report.files["persons.csv"].warned == 1
    bad, good = rows(store, person_records)
    assert bad["dob"] is None and bad["dob_raw"] == "2009-02-30"
    assert bad["sex"] is None and bad["sex_raw"] == "Q"
    assert bad["postcode"] is None and bad["postcode_raw"] == "NOWHERE"
    assert bad["phones"] is None and bad["phone_raw"] == "12"
    assert bad["emails"] is None and bad["nhs_number"] is None and bad["upn"] is None
    assert json.loads(bad["extra"]) == {"shoe_size": "9"}
    assert good["dob"] == "2009-02-03" and good["dob_precision"] == "day"
    assert good["sex"] == "F" and good["postcode"] == "S60 1AA"
    assert good["phones"] == "+447700900123;+447700900124"
    assert good["emails"] == "a@example.org" and good["nhs_number"] == "9434765919"
    assert good["upn"] == "A12345678901B" and good["extra"] is None
    warned = {(w["line"], w["column"]) for w in rows(store, dq_warnings)}
    assert warned == {(2, c) for c in ("date_of_birth", "sex", "postcode", "phone", "email",
                                       "nhs_number", "upn")}


def test_objects_locations_and_event_values(store: Engine, tmp_path: Path) -> None:
    objects = ("object_ref,kind,value,description\nV1,vehicle,ab12 cde,red\n"
               "T1,phone,07700 900123,\nT2,phone,123,\nA1,online_account,@Some.One,\n"
               "X1,boat,B1,\nV2,vehicle,,\n")
    locations = ("location_ref,kind,name,postcode,latitude,longitude\n"
                 "L1,hotel,Inn,zz1 1aa,53.5,-1.3\nL2,park,,,95,200\nL3,castle,,,,\n")
    events = (E_HEAD + "E1,stop_check,2024-01-06T01:30:00+01:00,L1,"
              "seen_in_vehicles;Older_Associates;bogus,,\n"
              "E2,intelligence_report,2024-01-07,L9,,2bp,\nE3,arrest,2024-01-08,,,B24,5x5x5\n")
    files = {"objects.csv": objects, "locations.csv": locations, "events.csv": events,
             "links.csv": L_HEAD + "E1,object,V1,present\nE1,location,L1,present\n"
                          "E1,location,L3,present\n"}
    report = load_submission(store, write_submission(tmp_path, files))
    assert report.files["objects.csv"].quarantined == 2  # unknown kind, missing value
    assert report.files["locations.csv"].quarantined == 1
    assert report.files["links.csv"].quarantined == 1  # L3 was quarantined
    values = {r["object_ref"]: r["value"] for r in rows(store, object_records)}
    assert values == {"V1": "AB12CDE", "T1": "+447700900123", "T2": None, "A1": "some.one"}
    places = {r["location_ref"]: r for r in rows(store, location_records)}
    assert places["L1"]["postcode"] == "ZZ1 1AA" and places["L1"]["latitude"] == 53.5
    assert places["L2"]["latitude"] is None and places["L2"]["latitude_raw"] == "95"
    events_by_ref = {r["event_ref"]: r for r in rows(store, event_records)}
    e1, e2, e3 = events_by_ref["E1"], events_by_ref["E2"], events_by_ref["E3"]
    assert str(e1["occurred_on"]) == "2024-01-06"
    assert str(e1["occurred_at"]) == "2024-01-06 00:30:00"
    assert (e2["grading_scheme"], e2["grading_source"], e2["grading_intelligence"],
            e2["grading_handling"]) == ("3x5x2", "2", "B", "P")
    assert e2["location_ref"] == "L9"  # kept, with a warning (documented choice)
    assert e3["grading_scheme"] == "5x5x5"
    codes = sorted(r["indicator"] for r in rows(store, event_indicators))
    assert codes == ["older_associates", "seen_in_vehicles"]
    reasons = {(w["file"], w["column"]) for w in rows(store, dq_warnings)}
    assert ("events.csv", "indicators") in reasons
    assert ("events.csv", "location_ref") in reasons
    assert ("objects.csv", "value") in reasons
    assert ("locations.csv", "latitude") in reasons
    assert len(rows(store, links)) == 2


def test_nul_character_is_quarantined(store: Engine, tmp_path: Path) -> None:
    persons = "person_ref,forename\nP1,Ann\nP2,B\x00o\n"
    report = load_submission(store, write_submission(tmp_path, {"persons.csv": persons}))
    assert report.files["persons.csv"].quarantined == 1
    [row] = rows(store, quarantine)
    assert (row["line"], row["reason"]) == (3, "contains a NUL character")
    assert json.loads(row["raw"]) == ["P2", "B\x00o"]
