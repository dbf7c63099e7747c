"""Every generated submission follows contract v1 exactly (checked file by file)."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from lantern.contract import normalise, vocabulary
from lantern.simulate.world import WorldSummary

VOCAB = vocabulary()


def read(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def submissions(world: Path) -> list[Path]:
    return sorted((world / "submissions").iterdir())


def test_one_submission_per_agency_area_year(tiny: tuple[Path, WorldSummary]) -> None:
    world, summary = tiny
    areas = read(world / "areas.csv")
    subs = submissions(world)
    assert len(subs) == summary.submissions == len(areas) * 5 * 2
    types = set()
    for folder in subs:
        manifest = json.loads((folder / "manifest.json").read_text())
        assert manifest["contract"] == "1"
        assert manifest["submission_id"] == folder.name
        assert manifest["area"] in set(areas.area)
        assert manifest["agency"]["type"] in VOCAB.agency_types
        assert manifest["extracted_at"].endswith("Z")
        types.add(manifest["agency"]["type"])
        names = {p.name for p in folder.iterdir()} - {"manifest.json"}
        assert names <= set(VOCAB.files)
        assert {"persons.csv", "events.csv"} <= names
    assert types == {"police", "social_care", "health", "education", "voluntary"}


def test_areas_are_fictional(tiny: tuple[Path, WorldSummary]) -> None:
    areas = read(tiny[0] / "areas.csv")
    assert areas.area.str.fullmatch(r"ZZ\d{3}").all()
    assert (areas.child_population.astype(int) > 0).all()


@pytest.fixture(scope="module")
def files(tiny: tuple[Path, WorldSummary]) -> dict[str, pd.DataFrame]:
    frames: dict[str, list[pd.DataFrame]] = {name: [] for name in VOCAB.files}
    for folder in submissions(tiny[0]):
        for name in VOCAB.files:
            path = folder / name
            if path.exists():
                frame = read(path)
                assert list(frame.columns) == list(VOCAB.files[name].columns), (folder, name)
                frames[name].append(frame.assign(submission=folder.name))
    return {k: pd.concat(v, ignore_index=True) for k, v in frames.items() if v}


def test_refs_unique_and_links_resolve(files: dict[str, pd.DataFrame]) -> None:
    for name, key in (
        ("persons.csv", "person_ref"),
        ("events.csv", "event_ref"),
        ("objects.csv", "object_ref"),
        ("locations.csv", "location_ref"),
    ):
        frame = files[name]
        assert (frame[key] != "").all()
        assert not frame.duplicated(["submission", key]).any(), name
    links = files["links.csv"]
    assert set(links.entity) == {"person", "object", "location"}
    assert set(links.role) <= VOCAB.roles
    for entity, name, key in (
        ("person", "persons.csv", "person_ref"),
        ("object", "objects.csv", "object_ref"),
        ("location", "locations.csv", "location_ref"),
    ):
        known = set(zip(files[name].submission, files[name][key], strict=True))
        part = links[links.entity == entity]
        assert set(zip(part.submission, part.ref, strict=True)) <= known
    events = set(zip(files["events.csv"].submission, files["events.csv"].event_ref, strict=True))
    assert set(zip(links.submission, links.event_ref, strict=True)) <= events
    located = files["events.csv"][files["events.csv"].location_ref != ""]
    places = set(
        zip(files["locations.csv"].submission, files["locations.csv"].location_ref, strict=True)
    )
    assert set(zip(located.submission, located.location_ref, strict=True)) <= places


def test_events_use_the_vocabulary(files: dict[str, pd.DataFrame]) -> None:
    ev = files["events.csv"]
    assert set(ev.kind) <= VOCAB.event_kinds
    codes = {c for cell in ev.indicators if cell for c in cell.split(";")}
    assert codes <= VOCAB.indicators
    assert "cse_concern" in codes
    for value in ev.occurred_on:
        normalise.event_datetime(value)
    intel = ev[ev.kind == "intelligence_report"]
    assert (intel.grading != "").all()
    grades = [
        normalise.grading(g, s) for g, s in zip(intel.grading, intel.grading_scheme, strict=True)
    ]
    assert {g.handling for g in grades if g and g.scheme == "3x5x2"} == {"P", "C"}


def test_optional_values_are_valid(files: dict[str, pd.DataFrame]) -> None:
    p = files["persons.csv"]
    for column, check in (
        ("postcode", normalise.postcode),
        ("phone", normalise.phones),
        ("nhs_number", normalise.nhs_number),
        ("upn", normalise.upn),
        ("date_of_birth", normalise.partial_date),
        ("sex", normalise.sex),
        ("email", normalise.emails),
    ):
        values = [v for v in p[column] if v]
        assert values, column
        for value in values:
            check(value)  # raises InvalidValue on a bad one
    formats = {len(v) for v in p.date_of_birth if v}
    assert formats == {4, 7, 10}  # partial dates of birth occur
    objects = files["objects.csv"]
    assert set(objects.kind) == {"phone", "vehicle"}
    for value in objects.value[objects.kind == "phone"]:
        normalise.phone(value)
    assert objects.value[objects.kind == "vehicle"].str.upper().str.startswith("Z").all()
    assert set(files["locations.csv"].kind) <= VOCAB.location_kinds
    eth = set(p.ethnicity)
    assert "" in eth and "NS" in eth and len(eth) > 5
