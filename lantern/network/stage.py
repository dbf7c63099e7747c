"""The network stage: read the store in bulk, build and analyse the network, write results.

``run`` is called by ``lantern run`` (after resolve and screen) and by ``lantern network
run``; ``outputs`` gives the contract's ``groups.csv``.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime
from importlib import import_module
from typing import Any

import pandas as pd
from rich.console import Console
from sqlalchemy import Connection, Date, Engine, Table, delete, insert, select, update

from lantern.ingest.writer import insert_columns
from lantern.network.analysis import Results, analyse
from lantern.network.config import NetworkConfig, load_config
from lantern.network.graph import NetworkInputs, build_network
from lantern.store.frames import (
    read_events,
    read_frame,
    read_links,
    read_locations,
    read_objects,
    read_persons,
)
from lantern.store.tables.core import areas
from lantern.store.tables.network import (
    network_edges,
    network_entities,
    network_events,
    network_groups,
    network_hotspots,
    network_members,
    network_nodes,
    network_runs,
)

CHUNK = 200_000
_err = Console(stderr=True)


def _identities(name: str) -> Callable[[Engine], pd.DataFrame] | None:
    """``lantern.resolve.stage.<name>`` when resolution provides it (else per-record ids)."""
    try:
        module = import_module("lantern.resolve.stage")
    except ModuleNotFoundError:
        return None
    found = getattr(module, name, None)
    return found if callable(found) else None


def read_inputs(engine: Engine) -> NetworkInputs:
    """Current records with resolved ids: person_id, object_id, location_id attached.

    Ethnicity is dropped here, before anything else sees the records.
    """
    persons = read_persons(engine).drop(columns=["ethnicity"])
    person_ids = _identities("person_identities")
    if person_ids is not None:
        ids = person_ids(engine)[["agency", "person_ref", "person_id"]]
        persons = persons.merge(ids, on=["agency", "person_ref"], how="left")
        persons["person_id"] = persons["person_id"].fillna(
            persons["agency"] + ":" + persons["person_ref"])
    else:
        persons["person_id"] = persons["agency"] + ":" + persons["person_ref"]

    objects = read_objects(engine)
    object_ids = _identities("object_identities")
    if object_ids is not None and len(objects):
        objects = objects.merge(object_ids(engine), on=["agency", "object_ref"], how="left")
    else:
        objects["object_id"] = None
    fallback = objects["kind"].astype(str) + ":" + objects["value"].fillna(
        objects["agency"] + "/" + objects["object_ref"]).astype(str)
    objects["object_id"] = objects["object_id"].fillna(fallback)
    objects["label"] = objects["value"].fillna(objects["value_raw"])

    locations = read_locations(engine)
    location_ids = _identities("location_identities")
    if location_ids is not None and len(locations):
        locations = locations.merge(location_ids(engine), on=["agency", "location_ref"],
                                    how="left")
    else:
        locations["location_id"] = None
    locations["location_id"] = locations["location_id"].fillna(
        "location:" + locations["agency"] + "/" + locations["location_ref"])
    label = locations["name"].fillna(locations["address"]).fillna(locations["kind"])
    locations["label"] = (label.fillna("") + " " + locations["postcode"].fillna("")).str.strip()
    named = read_frame(engine, select(areas.c.area, areas.c.name))
    return NetworkInputs(persons=persons, events=read_events(engine),
                         links=read_links(engine), objects=objects, locations=locations,
                         area_names=named.set_index("name")["area"])


def _previous(connection: Connection) -> tuple[pd.DataFrame, pd.Series]:
    members = pd.DataFrame(connection.execute(
        select(network_members.c.group_id, network_members.c.person_id)).all(),
        columns=["group_id", "person_id"])
    issued = pd.Series([r[0] for r in connection.execute(select(network_groups.c.group_id))],
                       dtype=object)
    return members, issued


def _records(frame: pd.DataFrame, table: Table) -> list[dict[str, Any]]:
    """Frame rows as dicts for the table's columns: NaN/NaT become None, dates plain dates."""
    columns = [c.name for c in table.columns if c.name in frame.columns]
    out = frame[columns].copy()
    for column in table.columns:
        if column.name in out.columns and isinstance(column.type, Date):
            out[column.name] = pd.to_datetime(out[column.name]).dt.date
    out = out.astype(object).where(out.notna(), None)
    return out.to_dict("records")  # type: ignore[return-value]


def _columns(frame: pd.DataFrame, table: Table) -> tuple[list[str], list[list[Any]]]:
    """The table's columns present in the frame, as lists of plain Python values (dates as
    ``date``, missing values as None)."""
    names = [c.name for c in table.columns if c.name in frame.columns]
    values = []
    for name in names:
        column = frame[name]
        if isinstance(table.c[name].type, Date):
            column = pd.to_datetime(column).dt.date
        values.append(column.astype(object).where(column.notna(), None).tolist())
    return names, values


def _write(connection: Connection, table: Table, frame: pd.DataFrame) -> None:
    """Bulk insert through the ingest writer (executemany on SQLite, COPY on PostgreSQL):
    a million ties in seconds, where SQLAlchemy's per-row binding took a minute."""
    if frame.empty:
        return
    names, values = _columns(frame, table)
    for start in range(0, len(frame), CHUNK):
        insert_columns(connection, table, names, [v[start:start + CHUNK] for v in values])


def store_results(engine: Engine, results: Results, config: NetworkConfig, *,
                  seconds: float) -> int:
    """Replace the previous run's results in one transaction; returns the run id."""
    with engine.begin() as connection:
        key = connection.execute(insert(network_runs).values(
            run_at=datetime.now(), config_version=str(config.version),
            objective=config.groups.objective, resolution=config.groups.resolution,
            nodes=len(results.nodes), edges=len(results.edges), groups=len(results.groups),
            seconds=seconds)).inserted_primary_key
        assert key is not None
        run_id = key[0]
        for table in (network_members, network_entities, network_events, network_hotspots,
                      network_nodes, network_edges):
            connection.execute(delete(table))
        connection.execute(update(network_groups).values(active=False))
        known = {r[0] for r in connection.execute(select(network_groups.c.group_id))}
        groups = results.groups.assign(active=True, run_id=run_id)
        fresh = groups[~groups["group_id"].isin(known)]
        _write(connection, network_groups, fresh)
        for row in _records(groups[groups["group_id"].isin(known)], network_groups):
            connection.execute(update(network_groups).where(
                network_groups.c.group_id == row["group_id"]).values(**row))
        _write(connection, network_members, results.members)
        _write(connection, network_entities, results.entities)
        _write(connection, network_events, results.events)
        _write(connection, network_hotspots, results.hotspots)
        _write(connection, network_nodes, results.nodes)
        _write(connection, network_edges, results.edges)
    return int(run_id)


def run(engine: Engine, *, progress: bool = False, **options: Any) -> None:
    """Build the network from the store, find groups, score members, find hotspots.

    ``options``: ``config`` (a YAML path) and ``section__field`` overrides of its values,
    e.g. ``groups__resolution=0.05``.
    """
    started = time.perf_counter()
    config = load_config(options.pop("config", None), **options)

    def say(message: str) -> None:
        if progress:
            _err.print(f"[network] {message}", highlight=False)

    say("reading records")
    inputs = read_inputs(engine)
    say(f"building the network from {len(inputs.events)} events")
    network = build_network(inputs, config)
    say(f"{len(network.nodes)} nodes, {len(network.edges)} ties; finding groups")
    with engine.connect() as connection:
        previous, issued = _previous(connection)
    results = analyse(network, config, previous=previous, issued=issued)
    say(f"{len(results.groups)} groups, {len(results.hotspots)} hotspots; writing")
    store_results(engine, results, config, seconds=time.perf_counter() - started)


def read_members(engine: Engine) -> pd.DataFrame:
    query = (select(network_members, network_groups.c.areas)
             .join(network_groups, network_groups.c.group_id == network_members.c.group_id)
             .order_by(network_members.c.group_id, network_members.c.key_actor_score.desc(),
                       network_members.c.person_id))
    return read_frame(engine, query)


def outputs(engine: Engine) -> dict[str, pd.DataFrame]:
    """``groups.csv``: group_id, person_id, role, areas, key_actor_score (then details)."""
    members = read_members(engine)
    columns = ["group_id", "person_id", "role", "areas", "key_actor_score", "strength",
               "pagerank", "betweenness"]
    return {"groups.csv": members.reindex(columns=columns)}
