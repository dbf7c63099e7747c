"""A small hand-made world in contract files, for the API, web and access tests.

Two areas. In AAA1, a child (Amy Jones) seen by police and social care with an older man
(Mark Smith) and a car, and a restricted (handling C) intelligence report; in BBB2 another
child (Bella Brown). Strings that must never reach a national analyst are listed in
``SECRETS``.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

SECRETS = (
    "Amy", "Jones", "Mark", "Smith", "Bella", "Brown", "2009-03-14", "1980-01-02",
    "2008-07-01", "S60 1AA", "S60 2BB", "S61 9ZZ", "Found in a car", "RESTRICTED-INTEL",
    "Station Hotel", "Walked out", "Craig", "Dunn", "Jade", "Fox", "1985-06-06", "2010-02-02",
    "Both in the car", "Leah", "Moor", "2011-09-09",
)
PASSWORD = "correct horse battery"
# Each role's account: role -> (username, role, areas).
ACCOUNTS = {
    "practitioner": ("pat", "practitioner", ["AAA1"]),
    "analyst": ("ann", "analyst", ["AAA1"]),
    "area_manager": ("max", "area_manager", ["AAA1"]),
    "national_analyst": ("nat", "national_analyst", []),
    "auditor": ("aud", "auditor", []),
    "admin": ("adm", "admin", []),
}
RESTRICTED_TEXT = "RESTRICTED-INTEL: Mark Smith seen giving alcohol to girls"

AREAS = [
    {"area": "AAA1", "name": "Northtown", "child_population": "20000", "region": "North"},
    {"area": "BBB2", "name": "Southby", "child_population": "15000", "region": "South"},
]


def _write(path: Path, rows: list[dict[str, str]]) -> None:
    if not rows:
        return
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


def _submission(root: Path, sid: str, agency: dict[str, str], area: str,
                files: dict[str, list[dict[str, str]]]) -> Path:
    folder = root / sid
    folder.mkdir(parents=True)
    (folder / "manifest.json").write_text(json.dumps({
        "contract": "1", "submission_id": sid, "agency": agency, "area": area,
        "extracted_at": "2024-06-30T23:00:00Z",
    }))
    for name, rows in files.items():
        _write(folder / name, rows)
    return folder


def person(ref: str, fn: str, sn: str, dob: str, sex: str, postcode: str = "",
           phone: str = "") -> dict[str, str]:
    return {"person_ref": ref, "forename": fn, "surname": sn, "date_of_birth": dob,
            "sex": sex, "postcode": postcode, "phone": phone, "ethnicity": ""}


def event(ref: str, kind: str, on: str, indicators: str = "", grading: str = "",
          summary: str = "", location: str = "") -> dict[str, str]:
    return {"event_ref": ref, "kind": kind, "occurred_on": on, "location_ref": location,
            "indicators": indicators, "grading": grading, "summary": summary}


def link(ev: str, entity: str, ref: str, role: str) -> dict[str, str]:
    return {"event_ref": ev, "entity": entity, "ref": ref, "role": role}


FORENAMES = ("Olivia", "Noah", "Leo", "Isla", "Freya", "Oscar", "Ruby", "Harry", "Evie",
             "Jack", "Grace", "George", "Lily", "Alfie", "Sophie", "Charlie", "Mia", "Ella")
SURNAMES = ("Taylor", "Wilson", "Davies", "Evans", "Roberts", "Walker", "Wright", "Thompson",
            "White", "Hughes", "Edwards", "Green", "Hall", "Wood", "Harris", "Lewis", "Martin")


def background(n: int, *, seed: int, prefix: str) -> list[dict[str, str]]:
    """People with nothing of note, so that the linkage model has enough to train on."""
    import random

    rng = random.Random(seed)
    rows = []
    for i in range(n):
        pc = f"S{rng.randint(62, 99)} {rng.randint(1, 9)}{rng.choice('ABDEFGHJLNPQRSTUWXYZ')}" \
             f"{rng.choice('ABDEFGHJLNPQRSTUWXYZ')}"
        dob = f"{rng.randint(1960, 2015)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        rows.append(person(f"{prefix}{i}", rng.choice(FORENAMES), rng.choice(SURNAMES), dob,
                           rng.choice("FM"), pc))
    return rows


def write_world(root: Path) -> tuple[Path, list[Path]]:
    """Write ``areas.csv`` and the submissions; return (areas, submission folders)."""
    root.mkdir(parents=True, exist_ok=True)
    areas = root / "areas.csv"
    _write(areas, AREAS)
    police = _submission(root, "NTP-2024-06", {"code": "NTP", "type": "police",
                         "name": "Northtown Police"}, "AAA1", {
        "persons.csv": [
            person("C1", "Amy", "Jones", "2009-03-14", "F", "S60 1AA", "07700 900123"),
            person("A1", "Mark", "Smith", "1980-01-02", "M", "S60 2BB"),
            person("A2", "Craig", "Dunn", "1985-06-06", "M", "S60 3CD"),
            person("C2", "Jade", "Fox", "2010-02-02", "F", "S60 4EF"),
            person("C3", "Leah", "Moor", "2011-09-09", "F", "S60 5GH"),
            *background(90, seed=1, prefix="X"),
            person("U1", "Jake", "Walker", "2007-02-03", "M", "S70 1AB"),
            person("U2", "Chloe", "Hughes", "2006-11-20", "F", "S71 2DE"),
            person("U3", "Daniel", "Price", "2005-06-07", "M", "S72 3FG"),
            person("U4", "Ellie", "Carter", "2008-04-04", "F", "S74 4HJ", "07700 900555"),
            person("U5", "Kyle", "Baxter", "2004-09-09", "M", "S75 5LN", "07700 900666"),
            person("U6", "Liam", "Foster", "2007-05-05", "M", "S76 6PQ"),
            person("U7", "Megan", "Ward", "2006-01-15", "F", "S78 8TU"),
            person("U8", "Sam", "Hill", "2005-03-03", "M", "S70 1AB"),
            person("U9", "Tom", "Reed", "2003-12-12", "M", ""),
        ],
        "objects.csv": [{"object_ref": "V1", "kind": "vehicle", "value": "AB12 CDE",
                         "description": "silver Vauxhall Astra"}],
        "locations.csv": [{"location_ref": "L1", "kind": "hotel", "name": "Station Hotel",
                           "address": "1 Station Road", "postcode": "S60 2BB",
                           "latitude": "", "longitude": ""}],
        "events.csv": [
            event("E1", "missing_episode", "2024-04-01", "missing_from_home",
                  summary="Walked out after an argument"),
            event("E2", "stop_check", "2024-05-01", "seen_in_vehicles;older_associates",
                  summary="Found in a car with an older man", location="L1"),
            event("E3", "intelligence_report", "2024-05-10", "supplies_alcohol_drugs",
                  grading="2BC", summary=RESTRICTED_TEXT),
            event("E4", "intelligence_report", "2024-05-12", "", grading="1AP",
                  summary="Car seen outside the hotel"),
            event("E5", "crime_report", "2024-05-15", "sexual_activity_with_child",
                  summary="Both in the car", location="L1"),
            event("E6", "stop_check", "2024-05-18", "seen_in_vehicles;older_associates",
                  summary="Both in the car", location="L1"),
            event("E7", "missing_episode", "2024-05-25", "missing_from_home",
                  summary="Found at the hotel", location="L1"),
        ],
        "links.csv": [
            link("E1", "person", "C1", "subject"),
            link("E2", "person", "C1", "subject"),
            link("E2", "person", "A1", "driver"),
            link("E2", "object", "V1", "present"),
            link("E3", "person", "A1", "subject"),
            link("E3", "person", "C1", "victim"),
            link("E4", "object", "V1", "present"),
            link("E4", "person", "A1", "owner"),
            link("E2", "person", "A2", "passenger"),
            link("E5", "person", "A1", "suspect"),
            link("E5", "person", "A2", "suspect"),
            link("E5", "person", "C1", "victim"),
            link("E6", "person", "A2", "driver"),
            link("E6", "person", "A1", "passenger"),
            link("E6", "person", "C2", "subject"),
            link("E6", "object", "V1", "present"),
            link("E7", "person", "C3", "subject"),
        ],
    })
    care = _submission(root, "NTC-2024-06", {"code": "NTC", "type": "social_care",
                       "name": "Northtown Children's Services"}, "AAA1", {
        "persons.csv": [person("K77", "Amy", "Jones", "2009-03-14", "F", "S60 1AA"),
                        *background(90, seed=1, prefix="Y")[:60],
                        person("U1", "Jack", "Walker", "2007-03-02", "M", "S70 1AB"),
                        person("U2", "Chloe", "Hughes", "2006-11-02", "F", "S79 9XY"),
                        person("U3", "Dan", "Price", "2005-07-06", "M", ""),
                        person("U4", "Ella", "Carter", "2008-04-04", "F", "S74 4HJ",
                               "07700 900555"),
                        person("U5", "Kylie", "Baxter", "2004-09-09", "F", "S75 5LN",
                               "07700 900666"),
                        person("U6", "Liam", "Foster", "2007-05-05", "M", "S77 7RS"),
                        person("U7", "Megan", "Warde", "2006-01-15", "F", ""),
                        person("U8", "Samuel", "Hill", "2005-03-30", "M", "S70 1AB"),
                        person("U9", "Thomas", "Reed", "2003-12-12", "M", "")],
        "events.csv": [
            event("W1", "welfare_concern", "2024-05-03", "unexplained_gifts;substance_misuse",
                  summary="New phone and clothes, smelled of alcohol"),
            event("W2", "absence", "2024-05-20", "school_absence"),
        ],
        "links.csv": [link("W1", "person", "K77", "subject"),
                      link("W2", "person", "K77", "subject")],
    })
    south = _submission(root, "STP-2024-06", {"code": "STP", "type": "police",
                        "name": "Southby Police"}, "BBB2", {
        "persons.csv": [person("B9", "Bella", "Brown", "2008-07-01", "F", "S61 9ZZ"),
                        *background(40, seed=2, prefix="Z")],
        "events.csv": [event("S1", "disclosure", "2024-03-02", "disclosure;cse_concern",
                             summary="Disclosed abuse to a teacher")],
        "links.csv": [link("S1", "person", "B9", "victim")],
    })
    return areas, [police, care, south]


def build_world_store(url: str, folder: Path) -> Any:
    """A store with this world loaded through ingest and every stage run, and one user
    per role (password ``PASSWORD``)."""
    from lantern.access.users import add_user
    from lantern.ingest import load_areas, load_submission
    from lantern.pipeline import run_stages
    from lantern.store.db import open_store

    engine = open_store(url)
    areas, submissions = write_world(folder)
    load_areas(engine, areas)
    for submission in submissions:
        load_submission(engine, submission)
    # A wide review band, and no attaching of lone records, so that the U1-U9
    # near-duplicates wait for a person's decision.
    run_stages(engine, options={"resolve": {"threshold": 0.9999, "review_low": 0.1,
                                            "sole": False}})
    for username, role, areas_ in ACCOUNTS.values():
        add_user(engine, username=username, password=PASSWORD, role=role, areas=areas_)
    return engine
