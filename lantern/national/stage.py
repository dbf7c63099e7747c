"""The national stage: area-year statistics and data quality, written to the store.

`run` reads the store in bulk, computes with the pure functions in
`lantern.national.stats` and `lantern.national.quality`, and replaces the
`national_*` tables; `outputs` returns `area_stats.csv` in the contract's
columns (then the extras). The run outputs are the deployment's own analysis
and are not disclosure-controlled; everything published (`lantern report`)
or sent away (`lantern national export`) goes through `lantern.national.sdc`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import Engine, select

from lantern.national.quality import QUALITY_COLUMNS, data_quality
from lantern.national.stats import (
    AREA_STATS_COLUMNS,
    EXTRA_COLUMNS,
    area_stats,
    high_risk_counts,
    identified_victims,
)
from lantern.store.frames import read_events, read_frame, read_links, read_persons
from lantern.store.tables.core import areas as areas_table
from lantern.store.tables.core import submissions as submissions_table
from lantern.store.tables.national import national_area_stats, national_quality, national_runs


@dataclass(frozen=True)
class Inputs:
    """Everything the national figures are computed from (frames only)."""

    persons: pd.DataFrame
    events: pd.DataFrame
    links: pd.DataFrame
    identities: pd.DataFrame
    risk: pd.DataFrame
    areas: pd.DataFrame
    submissions: pd.DataFrame


def person_identities(engine: Engine) -> pd.DataFrame:
    from lantern.resolve.stage import person_identities as resolved

    return resolved(engine)


def risk_frame(engine: Engine) -> pd.DataFrame:
    from lantern.screen.stage import risk_frame as screened

    return screened(engine)


def read_inputs(engine: Engine) -> Inputs:
    return Inputs(
        persons=read_persons(engine),
        events=read_events(engine),
        links=read_links(engine),
        identities=person_identities(engine),
        risk=risk_frame(engine),
        areas=read_frame(engine, select(areas_table)),
        submissions=read_frame(engine, select(submissions_table)),
    )


def compute(inputs: Inputs) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(area_stats, data_quality) from the input frames; no I/O."""
    victims = identified_victims(inputs.events, inputs.links, inputs.persons, inputs.identities)
    stats = area_stats(victims, high_risk_counts(inputs.risk), inputs.areas)
    quality = data_quality(inputs.persons, inputs.identities, inputs.submissions, inputs.events)
    return stats, quality


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    clean = frame.astype(object).where(frame.notna(), None)
    return [
        {str(k): (v.item() if isinstance(v, np.generic) else v) for k, v in row.items()}
        for row in clean.to_dict(orient="records")
    ]


def run(engine: Engine, *, progress: bool = False, **_: Any) -> None:
    """Compute the national figures and replace the national tables."""
    inputs = read_inputs(engine)
    stats, quality = compute(inputs)
    with engine.begin() as connection:
        connection.execute(national_area_stats.delete())
        connection.execute(national_quality.delete())
        if len(stats):
            connection.execute(national_area_stats.insert(), _records(stats))
        if len(quality):
            connection.execute(national_quality.insert(), _records(quality))
        connection.execute(
            national_runs.insert(),
            {
                "run_at": datetime.now(UTC).replace(tzinfo=None),
                "area_years": len(stats),
                "estimates": int(stats["estimated_total"].notna().sum()) if len(stats) else 0,
            },
        )
    if progress:
        print(f"national: {len(stats)} area-years, {len(quality)} agency-area quality rows")


def read_area_stats(engine: Engine) -> pd.DataFrame:
    frame = read_frame(engine, select(national_area_stats))
    return frame.reindex(columns=AREA_STATS_COLUMNS + EXTRA_COLUMNS).sort_values(
        ["area", "year"], ignore_index=True)


def read_quality(engine: Engine) -> pd.DataFrame:
    return read_frame(engine, select(national_quality)).reindex(columns=QUALITY_COLUMNS)


def outputs(engine: Engine) -> dict[str, pd.DataFrame]:
    """`area_stats.csv` in the contract's columns, then the extra ones."""
    frame = read_area_stats(engine)
    frame["year"] = frame["year"].astype("Int64")
    for col in ("children_identified", "children_high_risk"):
        frame[col] = frame[col].astype("Int64")
    for col in ("rate_per_10k", "rate_low", "rate_high", "rate_change", "national_rate"):
        frame[col] = pd.to_numeric(frame[col]).round(3)
    for col in ("estimated_total", "estimated_low", "estimated_high"):
        frame[col] = pd.to_numeric(frame[col]).round(1)
    return {"area_stats.csv": frame}
