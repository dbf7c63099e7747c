"""The person search index: one DuckDB table of name variants with their keys.

Built in bulk from the store (current records, resolved ``person_id``), kept in memory
and rebuilt when the store's fingerprint changes. Name similarity is DuckDB's
Jaro-Winkler; dates of birth match on the given precision; postcodes exactly or by
outward code; phones and vehicles on their normalised forms.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from importlib import import_module

import duckdb
import pandas as pd
from sqlalchemy import Engine, func, select

from lantern.search import keys
from lantern.store.frames import read_links, read_objects, read_persons
from lantern.store.tables import metadata
from lantern.store.tables.core import person_records

NAME_THRESHOLD = 0.86
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

    con: duckdb.DuckDBPyConnection
    areas: dict[str, list[str]]
    agencies: dict[str, list[str]]
    names: dict[str, str]
    fingerprint: tuple[object, ...]


def _build(engine: Engine) -> _State:
    current = fingerprint(engine)
    frame = build_frame(engine)
    # one thread per query: requests run side by side, each query is small
    con = duckdb.connect(":memory:", config={"threads": 1})
    con.register("frame_view", frame)
    # Distinct names, scored once per query (names repeat a lot), blocked on initials.
    con.execute("""
        CREATE TABLE names AS
        SELECT row_number() OVER () AS name_id, fn, sn, name, rev,
               left(fn, 1) AS fn1, left(sn, 1) AS sn1
        FROM (SELECT DISTINCT fn, sn, name, rev FROM frame_view)
    """)
    con.execute("""
        CREATE TABLE idx AS
        SELECT f.*, n.name_id FROM frame_view f
        JOIN names n ON f.fn = n.fn AND f.sn = n.sn
        ORDER BY n.name_id
    """)
    con.unregister("frame_view")
    grouped = frame.groupby("person_id")
    named = frame[frame["display"] != ""].drop_duplicates("person_id")
    return _State(
        con=con,
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
        where: list[str] = ["TRUE"]
        params: list[object] = []
        matched: list[str] = []
        name_sql, name_params = "", []
        if query.name and keys.fold_name(query.name):
            q = keys.fold_name(query.name)
            initials = sorted({t[0] for t in q.split()})
            marks = ", ".join("?" for _ in initials)
            matched.append("name")
            if " " in q:
                score = ("greatest(jaro_winkler_similarity(name, ?), "
                         "jaro_winkler_similarity(rev, ?))")
            else:
                score = ("greatest(jaro_winkler_similarity(sn, ?), "
                         "jaro_winkler_similarity(fn, ?))")
            # Blocking: a name is compared only when its forename or surname starts with
            # the initial of a word of the query (Jaro-Winkler rewards shared prefixes).
            name_sql = f"""
                good AS (
                    SELECT name_id, score FROM (
                        SELECT name_id, {score} AS score FROM names
                        WHERE fn1 IN ({marks}) OR sn1 IN ({marks})
                    ) WHERE score >= ?
                ),"""
            name_params = [q, q, *initials, *initials, NAME_THRESHOLD]
        if query.dob and (dob := keys.query_dob(query.dob)):
            where.append("(starts_with(dob, ?) OR starts_with(?, dob))")
            params += [dob, dob]
            matched.append("dob")
        if query.postcode and query.postcode.strip():
            pc, full = keys.query_postcode(query.postcode)
            where.append("pc = ?" if full else "starts_with(pc, ?)")
            params.append(pc)
            matched.append("postcode")
        if query.phone and (ph := keys.query_phone(query.phone)):
            where.append("contains(phones, ?)")
            params.append(ph)
            matched.append("phone")
        if query.vehicle and (v := keys.query_vrm(query.vehicle)):
            where.append("contains(vehicles, ?)")
            params.append(v)
            matched.append("vehicle")
        if not matched:
            return []
        if areas is not None:
            where.append(f"area IN ({', '.join('?' for _ in areas)})")
            params += sorted(areas)
        source = ("(SELECT i.*, g.score FROM idx i JOIN good g USING (name_id) "
                  "WHERE i.name_id IN (SELECT name_id FROM good))" if name_sql
                  else "(SELECT *, 1.0 AS score FROM idx)")
        sql = f"""
            WITH {name_sql}
            scored AS (
                SELECT person_id, display, dob, score FROM {source}
                WHERE {' AND '.join(where)}
            )
            SELECT person_id, arg_max(display, score) AS display, min(dob) AS dob,
                   max(score) AS score
            FROM scored
            GROUP BY person_id ORDER BY score DESC, person_id LIMIT ?
        """
        args: list[object] = [*name_params, *params, limit]
        cursor = state.con.cursor()
        try:
            rows = cursor.execute(sql, args).fetchall()
        finally:
            cursor.close()
        return [
            PersonHit(
                person_id=pid,
                name=display or "(no name recorded)",
                dob=dob,
                areas=state.areas.get(pid, []),
                agencies=state.agencies.get(pid, []),
                score=round(float(s), 3),
                matched_on=matched,
            )
            for pid, display, dob, s in rows
        ]
