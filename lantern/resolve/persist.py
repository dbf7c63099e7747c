"""Reads and bulk writes of the resolution tables (the I/O rim of lantern.resolve)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pandas as pd
from sqlalchemy import Connection, Engine, Table, delete, func, insert, select, update

from lantern.store.frames import read_frame
from lantern.store.tables.resolve import (
    resolve_changes,
    resolve_identities,
    resolve_judgements,
    resolve_locations,
    resolve_models,
    resolve_pairs,
    resolve_person_ids,
    resolve_review,
    resolve_runs,
)

CHUNK = 20_000


def now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def bulk_insert(connection: Connection, table: Table, frame: pd.DataFrame) -> None:
    """Executemany in chunks, with plain Python values (None for missing)."""
    if frame.empty:
        return
    columns = [c for c in frame.columns if c in table.c]
    data = frame[columns].astype(object).where(frame[columns].notna(), None)
    rows: list[dict[str, Any]] = data.to_dict("records")  # type: ignore[assignment]
    for start in range(0, len(rows), CHUNK):
        connection.execute(insert(table), rows[start:start + CHUNK])


def latest_model(engine: Engine) -> tuple[int, str] | None:
    query = select(resolve_models.c.id, resolve_models.c.model_json).order_by(
        resolve_models.c.id.desc()).limit(1)
    with engine.connect() as connection:
        row = connection.execute(query).first()
    return (int(row[0]), str(row[1])) if row else None


def save_model(engine: Engine, model_json: str, *, version: str, backend: str,
               n_records: int) -> int:
    with engine.begin() as connection:
        result = connection.execute(insert(resolve_models).values(
            created_at=now(), version=version, backend=backend, n_records=n_records,
            model_json=model_json))
        return int(result.inserted_primary_key[0])  # type: ignore[index]


def start_run(connection: Connection, **values: Any) -> int:
    result = connection.execute(insert(resolve_runs).values(started_at=now(), **values))
    return int(result.inserted_primary_key[0])  # type: ignore[index]


def finish_run(connection: Connection, run_id: int, **values: Any) -> None:
    connection.execute(update(resolve_runs).where(resolve_runs.c.id == run_id).values(
        finished_at=now(), **values))


def last_run(engine: Engine) -> dict[str, Any] | None:
    query = select(resolve_runs).where(resolve_runs.c.finished_at.is_not(None)).order_by(
        resolve_runs.c.id.desc()).limit(1)
    with engine.connect() as connection:
        row = connection.execute(query).mappings().first()
    return dict(row) if row else None


def identities(engine: Engine | Connection) -> pd.DataFrame:
    return read_frame(engine, select(resolve_identities))


def pairs(engine: Engine | Connection, *, model_id: int | None = None) -> pd.DataFrame:
    query = select(resolve_pairs)
    if model_id is not None:
        query = query.where(resolve_pairs.c.model_id == model_id)
    return read_frame(engine, query)


def judgements(engine: Engine | Connection) -> pd.DataFrame:
    return read_frame(engine, select(resolve_judgements).order_by(resolve_judgements.c.id))


def review_queue(engine: Engine | Connection, *, status: str | None = None) -> pd.DataFrame:
    query = select(resolve_review).order_by(resolve_review.c.id)
    if status:
        query = query.where(resolve_review.c.status == status)
    return read_frame(engine, query)


def next_person_seq(connection: Connection) -> int:
    value = connection.execute(select(func.max(resolve_person_ids.c.seq))).scalar()
    return int(value or 0) + 1


def replace(connection: Connection, table: Table, frame: pd.DataFrame) -> None:
    connection.execute(delete(table))
    bulk_insert(connection, table, frame)


__all__ = [
    "bulk_insert", "finish_run", "identities", "judgements", "last_run", "latest_model",
    "next_person_seq", "now", "pairs", "replace", "resolve_changes",
    "resolve_identities", "resolve_judgements", "resolve_locations", "resolve_pairs",
    "resolve_person_ids", "resolve_review", "review_queue", "save_model", "start_run",
]
