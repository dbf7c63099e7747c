"""The single view of the child: every agency's events in date order, with who and what.

A service (engine in, model out) for the CLI and the web page, which wrap access checks and
audit around it. It reads only the records of one child and the events they are linked to.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any, Literal

import pandas as pd
from pydantic import BaseModel
from sqlalchemy import Engine, and_, or_, select

from lantern.resolve import stage as resolve_stage
from lantern.screen.config import ScreeningConfig, load_config
from lantern.store.tables.core import (
    agencies,
    event_indicators,
    event_records,
    links,
    location_records,
    object_records,
    person_records,
)
from lantern.store.tables.screen import screen_missed, screen_risk


class ChildNotFound(LookupError):
    """No resolved person has this id."""


class PersonRecord(BaseModel):
    agency: str
    agency_type: str
    area: str
    person_ref: str
    name: str
    dob: str | None
    sex: str | None


class Linked(BaseModel):
    entity: Literal["person", "object", "location"]
    ref: str
    role: str
    resolved_id: str | None
    label: str


class TimelineEvent(BaseModel):
    occurred_on: date
    agency: str
    agency_type: str
    area: str
    event_ref: str
    kind: str
    indicators: list[str]
    warning_signs: list[str]
    child_roles: list[str]
    linked: list[Linked]
    grading: str | None
    grading_scheme: str | None
    handling: str | None
    summary: str | None


class RiskSummary(BaseModel):
    risk: str
    score: float
    identified_victim: bool
    reasons: str
    risk_date: date | None


class MissedSummary(BaseModel):
    status: str
    first_sign_on: date
    agencies: str
    contacts: int
    responded_on: date | None
    reason: str


class ChildView(BaseModel):
    person_id: str
    names_by_agency: dict[str, list[str]]
    dates_of_birth: list[str]
    areas: list[str]
    records: list[PersonRecord]
    risk: RiskSummary | None
    missed: MissedSummary | None
    events: list[TimelineEvent]


Row = Mapping[Any, Any]


def _name(row: Row) -> str:
    parts = [row.get("forename"), row.get("middle_names"), row.get("surname")]
    return " ".join(str(p) for p in parts if isinstance(p, str) and p) or "(no name)"


def _pairs_clause(columns: tuple, pairs: list[tuple[str, str]]):  # type: ignore[no-untyped-def]
    return or_(*[and_(columns[0] == a, columns[1] == r) for a, r in pairs])


def _rows(engine: Engine, query) -> list[Row]:  # type: ignore[no-untyped-def]
    """The rows of a keyed query as mappings: a page reads a few dozen rows, for which
    building DataFrames cost more than the queries themselves."""
    with engine.connect() as connection:
        return list(connection.execute(query).mappings())


def _optional(value: object) -> str | None:
    return None if value is None or (isinstance(value, float) and pd.isna(value)) else str(value)


def child_view(engine: Engine, person_id: str, *,
               config: ScreeningConfig | None = None) -> ChildView:
    """Everything the agencies hold about one resolved person, in date order."""
    config = config or load_config()
    mine = resolve_stage.identities_for(engine, person_id=person_id)
    identities = None  # every identity: read only when the keyed lookup finds nothing
    if mine.empty:  # not (yet) a resolved id: look among provisional ones too
        identities = resolve_stage.person_identities(engine)
        mine = identities[identities["person_id"] == person_id]
    if mine.empty:
        raise ChildNotFound(f"no person {person_id!r}")
    pairs = list(zip(mine["agency"], mine["person_ref"], strict=True))
    p = person_records
    persons = _rows(engine, select(p, agencies.c.type.label("agency_type"))
                    .join(agencies, agencies.c.code == p.c.agency)
                    .where(p.c.is_current.is_(True), p.c.withdrawn.is_(False),
                           _pairs_clause((p.c.agency, p.c.person_ref), pairs)))
    records = [PersonRecord(agency=r["agency"], agency_type=r["agency_type"], area=r["area"],
                            person_ref=r["person_ref"], name=_name(r), dob=_optional(r["dob"]),
                            sex=_optional(r["sex"])) for r in persons]
    names: dict[str, list[str]] = {}
    for record in records:
        names.setdefault(record.agency, [])
        if record.name not in names[record.agency]:
            names[record.agency].append(record.name)

    e = event_records
    own = _rows(engine, select(links.c.event_record_id, links.c.role)
                .where(links.c.entity == "person",
                       _pairs_clause((links.c.agency, links.c.ref), pairs)))
    own_ids = list(dict.fromkeys(r["event_record_id"] for r in own))
    events = _rows(engine, select(e, agencies.c.type.label("agency_type"))
                   .join(agencies, agencies.c.code == e.c.agency)
                   .where(e.c.id.in_(own_ids), e.c.is_current.is_(True),
                          e.c.withdrawn.is_(False)))
    ids = [ev["id"] for ev in events]
    everyone = _rows(engine, select(links).where(links.c.event_record_id.in_(ids)))
    indicators = _rows(engine, select(event_indicators)
                       .where(event_indicators.c.event_record_id.in_(ids)))
    labels = _labels(engine, everyone, events, identities)
    codes_of: dict[int, list[str]] = {}
    for row in indicators:
        codes_of.setdefault(row["event_record_id"], []).append(row["indicator"])
    roles_of: dict[int, set[str]] = {}
    for row in own:
        roles_of.setdefault(row["event_record_id"], set()).add(row["role"])
    links_of: dict[int, list[Row]] = {}
    for row in everyone:
        links_of.setdefault(row["event_record_id"], []).append(row)

    timeline = []
    for ev in sorted(events, key=lambda ev: (pd.Timestamp(ev["occurred_on"]), ev["agency"],
                                             ev["event_ref"])):
        codes = sorted(codes_of.get(ev["id"], []))
        roles = sorted(roles_of.get(ev["id"], set()))
        linked = []
        for link in links_of.get(ev["id"], []):
            key = (link["entity"], link["agency"], link["ref"])
            resolved, label = labels.get(key, (None, link["ref"]))
            if link["entity"] == "person" and resolved == person_id:
                continue
            linked.append(Linked(entity=link["entity"], ref=link["ref"], role=link["role"],
                                 resolved_id=resolved, label=label))
        location_ref = _optional(ev["location_ref"])
        if location_ref and not any(x.entity == "location" and x.ref == location_ref
                                    for x in linked):
            resolved, label = labels.get(("location", ev["agency"], location_ref),
                                         (None, location_ref))
            linked.append(Linked(entity="location", ref=location_ref, role="present",
                                 resolved_id=resolved, label=label))
        timeline.append(TimelineEvent(
            occurred_on=pd.Timestamp(ev["occurred_on"]).date(), agency=ev["agency"],
            agency_type=ev["agency_type"], area=ev["area"], event_ref=ev["event_ref"],
            kind=ev["kind"], indicators=codes,
            warning_signs=[config.indicators[c].label for c in codes if c in config.indicators],
            child_roles=roles, linked=linked, grading=_optional(ev["grading_raw"]),
            grading_scheme=_optional(ev["grading_scheme"]),
            handling=_optional(ev["grading_handling"]), summary=_optional(ev["summary"]),
        ))
    return ChildView(
        person_id=person_id, names_by_agency=names,
        dates_of_birth=sorted({r.dob for r in records if r.dob}),
        areas=sorted({r.area for r in records} | {t.area for t in timeline}),
        records=records, risk=_risk(engine, person_id), missed=_missed(engine, person_id),
        events=timeline,
    )


def _labels(engine: Engine, everyone: list[Row], events: list[Row],
            identities: pd.DataFrame | None) -> dict[tuple[str, str, str], tuple[str | None, str]]:
    """(entity, agency, ref) -> (resolved id, a readable label) for the linked entities."""
    out: dict[tuple[str, str, str], tuple[str | None, str]] = {}
    pairs = list({(r["agency"], r["ref"]) for r in everyone if r["entity"] == "person"})
    if pairs:
        p = person_records
        found = _rows(engine, select(p).where(
            p.c.is_current.is_(True), _pairs_clause((p.c.agency, p.c.person_ref), pairs)))
        if identities is None:
            identities = resolve_stage.identities_for(engine, refs=pairs)
        ids = dict(zip(zip(identities["agency"], identities["person_ref"], strict=True),
                       identities["person_id"], strict=True))
        for r in found:
            dob = f", born {r['dob']}" if isinstance(r["dob"], str) else ""
            out[("person", r["agency"], r["person_ref"])] = (
                ids.get((r["agency"], r["person_ref"])), _name(r) + dob)
    pairs = list({(r["agency"], r["ref"]) for r in everyone if r["entity"] == "object"})
    if pairs:
        o = object_records
        for r in _rows(engine, select(o).where(
                o.c.is_current.is_(True), _pairs_clause((o.c.agency, o.c.object_ref), pairs))):
            value = _optional(r["value"]) or r["value_raw"]
            text = f"{r['kind']} {value}" + (f" ({r['description']})"
                                              if isinstance(r["description"], str) else "")
            out[("object", r["agency"], r["object_ref"])] = (f"{r['kind']}:{value}", text)
    pairs = list({(r["agency"], r["ref"]) for r in everyone if r["entity"] == "location"}
                 | {(ev["agency"], ev["location_ref"]) for ev in events
                    if _optional(ev["location_ref"]) is not None})
    if pairs:
        loc = location_records
        for r in _rows(engine, select(loc).where(
                loc.c.is_current.is_(True),
                _pairs_clause((loc.c.agency, loc.c.location_ref), pairs))):
            bits = [b for b in (r["name"], r["postcode"]) if isinstance(b, str)]
            out[("location", r["agency"], r["location_ref"])] = (
                None, f"{r['kind']}: " + (", ".join(bits) or r["location_ref"]))
    return out


def _risk(engine: Engine, person_id: str) -> RiskSummary | None:
    with engine.connect() as connection:
        row = connection.execute(
            select(screen_risk).where(screen_risk.c.person_id == person_id)).mappings().first()
    if row is None:
        return None
    return RiskSummary(risk=row["risk"], score=row["score"],
                       identified_victim=row["identified_victim"], reasons=row["reasons"],
                       risk_date=row["risk_date"])


def _missed(engine: Engine, person_id: str) -> MissedSummary | None:
    with engine.connect() as connection:
        row = connection.execute(
            select(screen_missed).where(screen_missed.c.person_id == person_id)
        ).mappings().first()
    if row is None:
        return None
    return MissedSummary(**{k: row[k] for k in MissedSummary.model_fields})
