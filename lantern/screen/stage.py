"""The screening stage: read the store in bulk, screen, write results back in bulk.

``run`` computes; ``outputs`` and ``risk_frame`` read the results back for the contract
files and for the national stage.
"""

from __future__ import annotations

import hashlib
import sys
import time
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import Connection, Engine, bindparam, delete, insert, select, update

from lantern.resolve import stage as resolve_stage
from lantern.screen.config import ScreeningConfig, load_config
from lantern.screen.core import ScreenResult, screen
from lantern.screen.inputs import Frames
from lantern.store import frames as store_frames
from lantern.store.frames import read_frame
from lantern.store.tables.screen import (
    screen_alerts,
    screen_missed,
    screen_risk,
    screen_runs,
)

RISK_CSV = ["person_id", "area", "risk", "score", "identified_victim", "reasons"]
MISSED_CSV = ["person_id", "first_sign_on", "agencies", "contacts", "responded_on", "reason"]
ALERT_KINDS = {"missed": "missed_opportunity", "due": "response_due"}


def _fallback_object_ids(objects: pd.DataFrame) -> pd.DataFrame:
    """``kind:value`` until the resolve stage offers object identities."""
    value = objects["value"].fillna(objects["value_raw"]).astype(str).str.upper()
    value = value.str.replace(r"\s+", "", regex=True)
    return objects[["agency", "object_ref"]].assign(object_id=objects["kind"] + ":" + value)


def _fallback_location_ids(locations: pd.DataFrame) -> pd.DataFrame:
    """Postcode and name (else the agency's own ref) until resolve offers place identities."""
    name = locations["name"].fillna("").astype(str).str.lower().str.strip()
    keyed = locations["postcode"].notna()
    location_id = np.where(
        keyed, "place:" + locations["postcode"].astype(str) + "|" + name,
        "place:" + locations["agency"].astype(str) + "|" + locations["location_ref"].astype(str))
    return locations[["agency", "location_ref"]].assign(location_id=location_id)


def load_frames(engine: Engine) -> Frames:
    """Every frame the screening reads, with the resolved identities."""
    objects = store_frames.read_objects(engine)
    locations = store_frames.read_locations(engine)
    object_ids = getattr(resolve_stage, "object_identities", None)
    location_ids = getattr(resolve_stage, "location_identities", None)
    return Frames(
        persons=store_frames.read_persons(engine),
        events=store_frames.read_events(engine),
        links=store_frames.read_links(engine),
        person_ids=resolve_stage.person_identities(engine),
        objects=objects,
        locations=locations,
        object_ids=object_ids(engine) if object_ids else _fallback_object_ids(objects),
        location_ids=(location_ids(engine) if location_ids
                      else _fallback_location_ids(locations)),
    )


def _records(frame: pd.DataFrame, dates: tuple[str, ...] = ()) -> list[dict[str, Any]]:
    """Rows for an executemany: dates as ``date``, missing values as ``None``."""
    out = frame.copy()
    for column in dates:
        values = pd.to_datetime(out[column])
        out[column] = pd.Series(values.dt.date, index=out.index).astype(object).where(
            values.notna(), None)
    out = out.astype(object).where(out.notna(), None)
    return [{str(k): v for k, v in row.items()} for row in out.to_dict("records")]


def alert_id(person_id: pd.Series, raised_on: pd.Series) -> pd.Series:
    """A stable id: the same child and first-sign date give the same alert across runs."""
    keys = person_id.astype(str) + "|" + pd.to_datetime(raised_on).dt.strftime("%Y-%m-%d")
    return keys.map(lambda key: "A" + hashlib.sha256(key.encode()).hexdigest()[:11])


def _write_alerts(connection: Connection, missed: pd.DataFrame, now: datetime) -> None:
    alerts = pd.DataFrame({
        "alert_id": alert_id(missed["person_id"], missed["first_sign_on"]),
        "person_id": missed["person_id"], "area": missed["area"],
        "kind": missed["status"].map(ALERT_KINDS), "raised_on": missed["first_sign_on"],
        "reason": missed["reason"],
    })
    existing = set(connection.execute(select(screen_alerts.c.alert_id)).scalars())
    known = alerts["alert_id"].isin(existing)
    connection.execute(update(screen_alerts).values(active=False))
    fresh = alerts[~known].assign(first_seen_at=now, last_seen_at=now, active=True)
    if len(fresh):
        connection.execute(insert(screen_alerts), _records(fresh, ("raised_on",)))
    again = alerts[known].rename(columns={"alert_id": "key"})
    if len(again):
        statement = (update(screen_alerts)
                     .where(screen_alerts.c.alert_id == bindparam("key"))
                     .values(kind=bindparam("kind"), reason=bindparam("reason"),
                             area=bindparam("area"), last_seen_at=now, active=True))
        rows = _records(again[["key", "kind", "reason", "area"]])
        connection.execute(statement, rows)


def write_result(engine: Engine, result: ScreenResult, config: ScreeningConfig) -> None:
    """Replace the latest results in one transaction; alerts keep their ids and history."""
    now = datetime.now()
    risk = result.risk
    missed = result.missed
    with engine.begin() as connection:
        connection.execute(delete(screen_risk))
        connection.execute(delete(screen_missed))
        if len(risk):
            columns = [c.name for c in screen_risk.columns]
            connection.execute(insert(screen_risk),
                               _records(risk[columns], ("risk_date", "high_first_on")))
        if len(missed):
            columns = [c.name for c in screen_missed.columns]
            connection.execute(insert(screen_missed), _records(
                missed[columns], ("first_sign_on", "due_on", "responded_on",
                                  "first_recorded_on")))
        _write_alerts(connection, missed, now)
        connection.execute(insert(screen_runs).values(
            run_at=now, config_version=config.version, as_of=result.as_of.date(),
            children=len(risk), high=int((risk["risk"] == "high").sum()),
            missed=int((missed["status"] == "missed").sum()) if len(missed) else 0,
        ))


def _say(progress: bool, message: str) -> None:
    if progress:
        print(message, file=sys.stderr, flush=True)


def run(engine: Engine, *, config: Path | None = None, progress: bool = False,
        **options: Any) -> None:
    """Screen every resolved child; ``as_of`` (a date) overrides the screening date."""
    unknown = sorted(set(options) - {"as_of"})
    if unknown:
        raise ValueError(f"screen: unknown option(s) {unknown}")
    settings = load_config(config)
    as_of = options.get("as_of")
    started = time.perf_counter()
    frames = load_frames(engine)
    _say(progress, f"screen: read {len(frames.persons):,} person records and "
                   f"{len(frames.events):,} events in {time.perf_counter() - started:.1f}s")
    result = screen(frames, settings, as_of=pd.Timestamp(as_of) if as_of is not None else None)
    _say(progress, f"screen: {len(result.risk):,} children screened as on "
                   f"{result.as_of:%Y-%m-%d}, {int((result.risk['risk'] == 'high').sum()):,} "
                   f"high (config {settings.version})")
    write_result(engine, result, settings)


def _read(engine: Engine, table: Any) -> pd.DataFrame:
    return read_frame(engine, select(table))


def risk_frame(engine: Engine) -> pd.DataFrame:
    """The latest risk per child, with ``risk_date`` (first reached the current level)."""
    frame = _read(engine, screen_risk)
    frame["risk_date"] = pd.to_datetime(frame["risk_date"])
    frame["identified_victim"] = frame["identified_victim"].astype(bool)
    return frame[["person_id", "area", "risk", "score", "identified_victim", "reasons",
                  "risk_date"]]


def _day_text(values: pd.Series) -> pd.Series:
    dates = pd.to_datetime(values)
    return dates.dt.strftime("%Y-%m-%d").where(dates.notna(), None)


def outputs(engine: Engine) -> dict[str, pd.DataFrame]:
    """``risk.csv`` and ``missed_opportunities.csv`` in the contract's columns first."""
    risk = risk_frame(engine).sort_values("person_id", ignore_index=True)
    risk["identified_victim"] = np.where(risk["identified_victim"], "true", "false")
    risk["risk_date"] = _day_text(risk["risk_date"])
    missed = _read(engine, screen_missed)
    missed = missed[missed["status"] == "missed"].sort_values("person_id", ignore_index=True)
    for column in ("first_sign_on", "responded_on", "first_recorded_on"):
        missed[column] = _day_text(missed[column])
    return {
        "risk.csv": risk[RISK_CSV + ["risk_date"]],
        "missed_opportunities.csv": missed[MISSED_CSV + ["area", "first_recorded_on"]],
    }
