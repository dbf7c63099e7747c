"""The person search index: every name variant of every current person record with its
keys, joined to the resolved ``person_id``.

Built in bulk from the store, kept in memory (``lantern.search.engine``) and rebuilt in
the background when the store's fingerprint changes. Names are compared with Jaro-Winkler
(RapidFuzz); dates of birth match at the precision typed; postcodes exactly or by outward
code; phones and vehicles on their normalised forms.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from importlib import import_module

import pandas as pd
from sqlalchemy import Engine, func, select

from lantern.search import keys
from lantern.search.engine import Tables
from lantern.store.frames import read_links, read_objects, read_persons
from lantern.store.tables import metadata
from lantern.store.tables.core import person_records

MAX_RESULTS = 50


@dataclass(frozen=True)
class SearchQuery:
    name: str | None = None
    dob: str | None = None
    postcode: str | None = None
    phone: str | None = None
    vehicle: str | None = None

    def is_empty(self) -> bool:
        return not any((self.name, self.dob, self.postcode, self.phone, self.vehicle))


@dataclass(frozen=True)
class PersonHit:
    person_id: str
    name: str
    dob: str | None
    areas: list[str]
    agencies: list[str]
    score: float
    matched_on: list[str] = field(default_factory=list)


def _identities(engine: Engine) -> pd.DataFrame:
    stage = import_module("lantern.resolve.stage")
    ids = stage.person_identities(engine)
    return ids[["agency", "person_ref", "person_id"]]


def _vehicles_by_person(engine: Engine) -> pd.DataFrame:
    """(agency, person_ref, vrm) for persons sharing an event with a vehicle."""
    links = read_links(engine)
    objects = read_objects(engine)
    empty = pd.DataFrame(columns=["agency", "person_ref", "vrm"])
    if links.empty or objects.empty:
        return empty
    vehicles = objects.loc[objects["kind"] == "vehicle", ["agency", "object_ref", "value"]]
    obj_links = links.loc[links["entity"] == "object", ["agency", "event_ref", "ref"]]
    veh_events = obj_links.merge(
        vehicles, left_on=["agency", "ref"], right_on=["agency", "object_ref"]
    )[["agency", "event_ref", "value"]]
    person_links = links.loc[links["entity"] == "person", ["agency", "event_ref", "ref"]]
    joined = person_links.merge(veh_events, on=["agency", "event_ref"])
    joined = joined.rename(columns={"ref": "person_ref", "value": "vrm"})
    return joined[["agency", "person_ref", "vrm"]].dropna().drop_duplicates()


def build_frame(engine: Engine) -> pd.DataFrame:
    """One row per name variant of every current person record, with search keys."""
    persons = read_persons(engine)
    cols = ["person_id", "agency", "area", "fn", "sn", "name", "rev", "display", "dob",
            "pc", "phones", "vehicles"]
    if persons.empty:
        return pd.DataFrame(columns=cols)
    persons = persons.merge(_identities(engine), on=["agency", "person_ref"], how="inner")
    vehicles = _vehicles_by_person(engine)
    if not vehicles.empty:
        per = vehicles.groupby(["agency", "person_ref"])["vrm"].agg(";".join).reset_index()
        persons = persons.merge(per, on=["agency", "person_ref"], how="left")
    else:
        persons["vrm"] = None
    base = pd.DataFrame(
        {
            "person_id": persons["person_id"].astype(str),
            "agency": persons["agency"].astype(str),
            "area": persons["area"].astype(str),
            "fn": keys.fold_names(persons["forename"]),
            "sn": keys.fold_names(persons["surname"]),
            "display": (
                persons["forename"].fillna("").astype(str)
                + " "
                + persons["surname"].fillna("").astype(str)
            ).str.strip(),
            "dob": persons["dob"].astype("string"),
            "pc": keys.compact_postcode(persons["postcode"]),
            "phones": persons["phones"].fillna("").astype(str),
            "vehicles": persons["vrm"].fillna("").astype(str),
            "aliases": persons["aliases"].fillna("").astype(str),
        }
    )
    alias = base.assign(alias=base["aliases"].str.split(";")).explode("alias")
    alias = alias[alias["alias"].fillna("").str.strip() != ""]
    alias_names = keys.fold_names(alias["alias"]).str.split(" ", n=1)
    alias = alias.assign(
        fn=alias_names.str[0].fillna(""), sn=alias_names.str[-1].fillna("")
    )
    frame = pd.concat([base, alias.drop(columns=["alias"])], ignore_index=True)
    frame["name"] = (frame["fn"] + " " + frame["sn"]).str.strip()
    frame["rev"] = (frame["sn"] + " " + frame["fn"]).str.strip()
    return frame[cols]


def fingerprint(engine: Engine) -> tuple[object, ...]:
    """Cheap signature of what the index depends on: person records and resolve tables."""
    parts: list[object] = []
    with engine.connect() as conn:
        parts.extend(
            conn.execute(select(func.count(), func.max(person_records.c.id))).one()
        )
        for name in sorted(metadata.tables):
            if name.startswith(("resolve", "person_cluster", "identity", "identities")):
                parts.append(conn.execute(select(func.count()).select_from(
                    metadata.tables[name])).scalar())
    return tuple(parts)


@dataclass(frozen=True)
class _State:
    """One built index; swapped whole, so readers never see half a rebuild."""

    tables: Tables
    areas: dict[str, list[str]]
    agencies: dict[str, list[str]]
    names: dict[str, str]
    fingerprint: tuple[object, ...]


def _build(engine: Engine) -> _State:
    current = fingerprint(engine)
    frame = build_frame(engine)
    grouped = frame.groupby("person_id")
    named = frame[frame["display"] != ""].drop_duplicates("person_id")
    return _State(
        tables=Tables.build(frame),
        areas={str(k): sorted(set(v)) for k, v in grouped["area"]},
        agencies={str(k): sorted(set(v)) for k, v in grouped["agency"]},
        names=dict(zip(named["person_id"], named["display"], strict=True)),
        fingerprint=current,
    )


class SearchIndex:
    """Thread-safe search index over one store, rebuilt in the background when the store
    changes (requests keep using the previous index until the new one is ready)."""

    def __init__(self, engine: Engine, *, check_every: float = 15.0) -> None:
        self._engine = engine
        self._check_every = check_every
        self._lock = threading.Lock()
        self._state: _State | None = None
        self._checked = 0.0
        self._building: threading.Thread | None = None

    def _rebuild(self) -> None:
        try:
            self._state = _build(self._engine)
        finally:
            self._building = None

    def refresh(self, *, force: bool = False, wait: bool = True) -> None:
        """Rebuild if the store changed (checked at most every ``check_every`` seconds).

        The first build, and ``force`` with ``wait``, happen in the caller; otherwise a
        rebuild runs in a background thread.
        """
        if self._state is None or (force and wait):
            with self._lock:
                if self._state is None or force:
                    self._state = _build(self._engine)
                    self._checked = time.monotonic()
            return
        now = time.monotonic()
        if not force and now - self._checked < self._check_every:
            return
        if not self._lock.acquire(blocking=False):
            return
        try:
            self._checked = now
            if self._building is not None:
                return
            if force or fingerprint(self._engine) != self._state.fingerprint:
                self._building = threading.Thread(target=self._rebuild, daemon=True,
                                                  name="lantern-search-index")
                self._building.start()
        finally:
            self._lock.release()

    def wait(self) -> None:
        """Block until a background rebuild (if any) has finished."""
        thread = self._building
        if thread is not None:
            thread.join()

    @property
    def _current(self) -> _State:
        self.refresh()
        assert self._state is not None
        return self._state

    def areas_of(self, person_id: str) -> list[str]:
        """Areas where any agency holds a record of this person (empty if unknown)."""
        return self._current.areas.get(person_id, [])

    def name_of(self, person_id: str) -> str | None:
        """A display name for lists (alerts, groups); identifiable, so callers check role."""
        return self._current.names.get(person_id)

    def agencies_of(self, person_id: str) -> list[str]:
        return self._current.agencies.get(person_id, [])

    def search(
        self, query: SearchQuery, *, areas: frozenset[str] | None, limit: int = MAX_RESULTS
    ) -> list[PersonHit]:
        """Best matches first, restricted to persons with a record in ``areas``."""
        state = self._current
        if query.is_empty() or (areas is not None and not areas):
            return []
        found, matched = state.tables.search(
            name=query.name, dob=query.dob, postcode=query.postcode, phone=query.phone,
            vehicle=query.vehicle, areas=areas, limit=limit)
        return [
            PersonHit(
                person_id=pid,
                name=display or "(no name recorded)",
                dob=dob,
                areas=state.areas.get(pid, []),
                agencies=state.agencies.get(pid, []),
                score=round(score, 3),
                matched_on=matched,
            )
            for pid, display, dob, score in found
        ]
