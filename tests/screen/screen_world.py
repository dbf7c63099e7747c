"""Hand-made worlds for the screening tests: frames, contract submissions, a loaded store."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from sqlalchemy import Engine

from lantern.screen.inputs import Frames

AGENCY_TYPES = {"P": "police", "S": "social_care", "H": "health", "E": "education",
                "V": "voluntary"}
EXTRACTED = "2014-01-01T00:00:00"


def agency_type(agency: str) -> str:
    return AGENCY_TYPES[agency[0]]


@dataclass
class World:
    """A tiny multi-agency world; identities map (agency, ref) to a person_id."""

    area: str = "A1"
    persons: list[dict[str, object]] = field(default_factory=list)
    events: list[dict[str, object]] = field(default_factory=list)
    links: list[dict[str, object]] = field(default_factory=list)
    objects: list[dict[str, object]] = field(default_factory=list)
    locations: list[dict[str, object]] = field(default_factory=list)
    identities: dict[tuple[str, str], str] = field(default_factory=dict)

    def person(self, agency: str, ref: str, *, dob: str | None = "2000-01-01",
               person_id: str | None = None, ethnicity: str | None = "W1",
               area: str | None = None, forename: str = "Sam") -> World:
        precision = None if dob is None else {10: "day", 7: "month", 4: "year"}[len(dob)]
        self.persons.append({
            "record_id": len(self.persons) + 1, "agency": agency,
            "agency_type": agency_type(agency), "area": area or self.area, "person_ref": ref,
            "forename": forename, "middle_names": None, "surname": "Smith", "aliases": None,
            "dob": dob, "dob_precision": precision, "dob_raw": dob, "sex": "F",
            "address": None, "postcode": None, "phones": None, "emails": None,
            "nhs_number": None, "upn": None, "ethnicity": ethnicity,
            "extracted_at": EXTRACTED,
        })
        self.identities[(agency, ref)] = person_id or f"{agency}:{ref}"
        return self

    def event(self, agency: str, ref: str, kind: str, on: str, *, indicators: str | None = None,
              people: tuple[tuple[str, str], ...] = (), objects: tuple[tuple[str, str], ...] = (),
              places: tuple[tuple[str, str], ...] = (), location_ref: str | None = None,
              grading: str | None = None, area: str | None = None) -> World:
        self.events.append({
            "record_id": len(self.events) + 1, "agency": agency,
            "agency_type": agency_type(agency), "area": area or self.area, "event_ref": ref,
            "kind": kind, "occurred_on": pd.Timestamp(on), "location_ref": location_ref,
            "indicators": indicators, "grading": grading,
            "grading_scheme": "3x5x2" if grading else None,
            "handling": grading[-1] if grading else None, "summary": None,
            "extracted_at": EXTRACTED,
        })
        for entity, pairs in (("person", people), ("object", objects), ("location", places)):
            for target, role in pairs:
                self.links.append({"agency": agency, "area": area or self.area,
                                   "event_ref": ref, "entity": entity, "ref": target,
                                   "role": role})
        return self

    def vehicle(self, agency: str, ref: str, vrm: str) -> World:
        self.objects.append({"record_id": len(self.objects) + 1, "agency": agency,
                             "area": self.area, "object_ref": ref, "kind": "vehicle",
                             "value": vrm, "value_raw": vrm, "description": None})
        return self

    def place(self, agency: str, ref: str, kind: str, name: str) -> World:
        self.locations.append({"record_id": len(self.locations) + 1, "agency": agency,
                               "area": self.area, "location_ref": ref, "kind": kind,
                               "name": name, "address": None, "postcode": None,
                               "latitude": None, "longitude": None})
        return self

    def frames(self) -> Frames:
        ids = pd.DataFrame(
            [(a, r, p, 1.0) for (a, r), p in self.identities.items()],
            columns=["agency", "person_ref", "person_id", "match_probability"])
        objects = pd.DataFrame(self.objects, columns=[
            "record_id", "agency", "area", "object_ref", "kind", "value", "value_raw",
            "description"])
        locations = pd.DataFrame(self.locations, columns=[
            "record_id", "agency", "area", "location_ref", "kind", "name", "address",
            "postcode", "latitude", "longitude"])
        object_ids = objects[["agency", "object_ref"]].assign(
            object_id="vehicle:" + objects["value"].astype(str))
        location_ids = locations[["agency", "location_ref"]].assign(
            location_id="place:" + locations["name"].astype(str))
        return Frames(
            persons=pd.DataFrame(self.persons),
            events=pd.DataFrame(self.events),
            links=pd.DataFrame(self.links, columns=["agency", "area", "event_ref", "entity",
                                                    "ref", "role"]),
            person_ids=ids, objects=objects, locations=locations, object_ids=object_ids,
            location_ids=location_ids,
        )


def write_submissions(world: World, root: Path) -> list[Path]:
    """The world as contract submissions: one folder per agency, plus ``areas.csv``."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "areas.csv").write_text(f"area,name,child_population\n{world.area},Area one,10000\n")
    folders = []
    agencies = sorted({str(r["agency"]) for r in [*world.persons, *world.events]})
    for agency in agencies:
        folder = root / agency
        folder.mkdir()
        manifest = {"contract": "1", "submission_id": f"{agency}-1",
                    "agency": {"code": agency, "type": agency_type(agency)},
                    "area": world.area, "extracted_at": EXTRACTED + "Z"}
        (folder / "manifest.json").write_text(json.dumps(manifest))
        persons = pd.DataFrame([r for r in world.persons if r["agency"] == agency])
        persons = persons.rename(columns={"dob": "date_of_birth"})
        persons[["person_ref", "forename", "surname", "date_of_birth", "sex",
                 "ethnicity"]].to_csv(folder / "persons.csv", index=False)
        events = pd.DataFrame([r for r in world.events if r["agency"] == agency],
                              columns=["event_ref", "kind", "occurred_on", "location_ref",
                                       "indicators", "grading", "agency"])
        events["occurred_on"] = pd.to_datetime(events["occurred_on"]).dt.strftime("%Y-%m-%d")
        events.drop(columns="agency").to_csv(folder / "events.csv", index=False)
        links = pd.DataFrame([r for r in world.links if r["agency"] == agency],
                             columns=["event_ref", "entity", "ref", "role"])
        links.to_csv(folder / "links.csv", index=False)
        objects = [r for r in world.objects if r["agency"] == agency]
        if objects:
            pd.DataFrame(objects)[["object_ref", "kind", "value"]].to_csv(
                folder / "objects.csv", index=False)
        places = [r for r in world.locations if r["agency"] == agency]
        if places:
            pd.DataFrame(places)[["location_ref", "kind", "name"]].to_csv(
                folder / "locations.csv", index=False)
        folders.append(folder)
    return folders


def store_world(engine: Engine, world: World, root: Path) -> None:
    """Load a hand-made world through the ingest API, as a real deployment would."""
    from lantern.ingest import load_areas, load_submission

    folders = write_submissions(world, root)
    load_areas(engine, root / "areas.csv")
    for folder in folders:
        report = load_submission(engine, folder)
        assert report.rows_quarantined == 0, report


def three_agency_child(world: World, *, linked: bool) -> World:
    """Three significant signs, each seen by a different agency."""
    for agency, ref, kind, sign, on in (
        ("P01", "p1", "missing_episode", "found_at_unknown_address", "2013-09-01"),
        ("H01", "h1", "sexual_health_attendance", "sexual_health", "2013-10-01"),
        ("E01", "e1", "welfare_concern", "unexplained_gifts", "2013-11-01"),
    ):
        world.person(agency, ref, person_id="kid" if linked else None)
        world.event(agency, f"{ref}-ev", kind, on, indicators=sign, people=((ref, "subject"),))
    return world
