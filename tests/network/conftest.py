"""Network test fixtures: a tiny hand-made world as frames and as contract submissions.

``engine``/``store_url`` come from ``tests/conftest.py``.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import Engine

from lantern.ingest import load_areas, load_submission
from lantern.network.graph import NetworkInputs

# Two offender groups and a bystander:
#  group 1 (area AA1): suspects S1, S2 (intel together); child C1 stopped with S1 in
#    vehicle V1; child C2 stopped in V1 without S1 present (the vehicle path); child C3
#    found at S2's home address (the address path).
#  group 2 (area AA2 police, AA1 social care -> crosses areas): suspects S3, S4, child C4.
#  A social worker W1 sees C1, C2, C4 (professional: no tie). Child K1 alone.
PERSONS = [
    ("S1", "1970-01-01", "", ""), ("S2", "1975-05-05", "12 Mill Lane", "S60 1AA"),
    ("C1", "2000-02-02", "", ""), ("C2", "2000-03-03", "", ""), ("C3", "2001-04-04", "", ""),
    ("S3", "1980-01-01", "", ""), ("S4", "1981-01-01", "", ""), ("C4", "2000-06-06", "", ""),
    ("W1", "1978-01-01", "", ""), ("K1", "2002-01-01", "", ""),
]
# event_ref, kind, date, location_ref, grading, [(entity, ref, role)]
EVENTS = [
    ("E1", "intelligence_report", "2013-01-10", "", "1AP",
     [("person", "S1", "suspect"), ("person", "S2", "suspect")]),
    ("E2", "stop_check", "2013-02-01", "", "",
     [("person", "C1", "passenger"), ("person", "S1", "driver"), ("object", "V1", "present")]),
    ("E3", "stop_check", "2013-03-01", "", "",
     [("person", "C2", "passenger"), ("object", "V1", "present")]),
    ("E4", "intelligence_report", "2013-03-05", "", "2BP",
     [("person", "S1", "suspect"), ("object", "V1", "user")]),
    ("E5", "missing_episode", "2013-04-01", "L1", "",
     [("person", "C3", "subject")]),
    ("E6", "crime_report", "2013-05-01", "", "",
     [("person", "C4", "victim"), ("person", "S3", "suspect")]),
    ("E7", "intelligence_report", "2013-05-02", "", "1BP",
     [("person", "S3", "suspect"), ("person", "S4", "suspect")]),
    ("E8", "assessment", "2013-06-01", "", "",
     [("person", "C1", "subject"), ("person", "W1", "professional")]),
    ("E9", "assessment", "2013-06-02", "", "",
     [("person", "C2", "subject"), ("person", "W1", "professional")]),
    ("E10", "assessment", "2013-06-03", "", "",
     [("person", "C4", "subject"), ("person", "W1", "professional")]),
    ("E11", "absence", "2013-06-04", "", "", [("person", "K1", "subject")]),
    ("E12", "intelligence_report", "2013-05-20", "", "2CP",
     [("person", "S4", "suspect"), ("person", "C4", "subject")]),
]
# which agency records each event (P1 = police AA1, P2 = police AA2, S1 = social care AA1)
EVENT_AGENCY = {"E6": "P2", "E7": "P2", "E12": "P2", "E8": "SC1", "E9": "SC1", "E10": "SC1"}
AGENCIES = {"P1": ("police", "AA1"), "P2": ("police", "AA2"), "SC1": ("social_care", "AA1")}


def world_frames(*, ethnicity: dict[str, str] | None = None) -> NetworkInputs:
    """The world as the frames the network builder reads (ids: agency:ref per record)."""
    events, links, persons = [], [], []
    for ref, kind, on, loc, grading, linked in EVENTS:
        agency = EVENT_AGENCY.get(ref, "P1")
        area = AGENCIES[agency][1]
        events.append({"agency": agency, "event_ref": ref, "kind": kind,
                       "occurred_on": pd.Timestamp(on), "location_ref": loc or None,
                       "grading": grading or None, "grading_scheme": None, "area": area})
        for entity, eref, role in linked:
            links.append({"agency": agency, "area": area, "event_ref": ref, "entity": entity,
                          "ref": eref, "role": role})
    person_agencies = pd.DataFrame(links)
    person_agencies = person_agencies[person_agencies["entity"] == "person"][
        ["agency", "ref"]].drop_duplicates()
    details = {p[0]: p for p in PERSONS}
    for agency, ref in person_agencies.itertuples(index=False):
        _, dob, address, postcode = details[ref]
        persons.append({"agency": agency, "person_ref": ref, "person_id": ref,
                        "area": AGENCIES[agency][1], "dob": dob, "address": address or None,
                        "postcode": postcode or None, "phones": None,
                        "ethnicity": (ethnicity or {}).get(ref, "W1")})
    objects = pd.DataFrame([{"agency": "P1", "object_ref": "V1", "object_id": "vehicle:AB12CDE",
                             "kind": "vehicle", "area": "AA1", "label": "AB12CDE"}])
    locations = pd.DataFrame([{"agency": "P1", "location_ref": "L1",
                               "location_id": "location:P1/L1", "area": "AA1",
                               "label": "12 Mill Lane", "address": "12 Mill Lane",
                               "postcode": "S60 1AA"}])
    return NetworkInputs(persons=pd.DataFrame(persons), events=pd.DataFrame(events),
                         links=pd.DataFrame(links), objects=objects, locations=locations)


def write_submissions(folder: Path) -> list[Path]:
    """The world as contract-v1 submissions (one per agency) plus areas.csv."""
    frames = world_frames()
    folder.mkdir(parents=True, exist_ok=True)
    pd.DataFrame({"area": ["AA1", "AA2"], "name": ["Alpha", "Beta"],
                  "child_population": [40000, 30000]}).to_csv(folder / "areas.csv", index=False)
    paths = []
    for agency, (kind, area) in AGENCIES.items():
        sub = folder / agency
        sub.mkdir()
        (sub / "manifest.json").write_text(json.dumps({
            "contract": "1", "submission_id": f"{agency}-1", "area": area,
            "agency": {"code": agency, "type": kind, "name": agency},
            "extracted_at": "2013-12-31T00:00:00Z"}))
        people = frames.persons[frames.persons["agency"] == agency]
        pd.DataFrame({"person_ref": people["person_ref"], "forename": "Test",
                      "surname": people["person_ref"], "date_of_birth": people["dob"],
                      "address": people["address"], "postcode": people["postcode"],
                      "ethnicity": people["ethnicity"]}).to_csv(sub / "persons.csv",
                                                                 index=False)
        events = frames.events[frames.events["agency"] == agency]
        pd.DataFrame({"event_ref": events["event_ref"], "kind": events["kind"],
                      "occurred_on": events["occurred_on"].dt.strftime("%Y-%m-%d"),
                      "location_ref": events["location_ref"],
                      "grading": events["grading"]}).to_csv(sub / "events.csv", index=False)
        links = frames.links[frames.links["agency"] == agency]
        links[["event_ref", "entity", "ref", "role"]].to_csv(sub / "links.csv", index=False)
        if agency == "P1":
            pd.DataFrame({"object_ref": ["V1"], "kind": ["vehicle"], "value": ["AB12 CDE"],
                          "description": ["silver hatchback"]}).to_csv(sub / "objects.csv",
                                                                       index=False)
            pd.DataFrame({"location_ref": ["L1"], "kind": ["house"],
                          "address": ["12 Mill Lane"], "postcode": ["S60 1AA"]}).to_csv(
                sub / "locations.csv", index=False)
        paths.append(sub)
    return paths


@pytest.fixture
def frames() -> NetworkInputs:
    return world_frames()


@pytest.fixture
def loaded(engine: Engine, tmp_path: Path) -> Engine:
    """A store holding the tiny world (ingested through the real loader)."""
    paths = write_submissions(tmp_path / "world")
    load_areas(engine, tmp_path / "world" / "areas.csv")
    for path in paths:
        load_submission(engine, path)
    return engine


@pytest.fixture
def resolved(loaded: Engine, monkeypatch: pytest.MonkeyPatch) -> Engine:
    """The tiny world with resolution's answer stubbed: one person_id per person_ref
    (each test person is the same real person in every agency that holds them)."""
    import lantern.network.stage as stage_module
    from lantern.store.frames import read_persons

    real = stage_module._identities

    def identities(name: str):  # type: ignore[no-untyped-def]
        if name != "person_identities":
            return real(name)

        def person_ids(engine: Engine) -> pd.DataFrame:
            persons = read_persons(engine)[["agency", "person_ref"]]
            return persons.assign(person_id=persons["person_ref"], match_probability=1.0)
        return person_ids

    monkeypatch.setattr(stage_module, "_identities", identities)
    return loaded
