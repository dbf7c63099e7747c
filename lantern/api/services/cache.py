"""Per-process caches of results that only change when the store's data change.

Each cached value is stored under ``(name, version)``, where ``version`` is read from the
store on every request with one cheap indexed query (the latest run id of a stage, the
latest acknowledgement id). A new run, a new acknowledgement or an upload, made by this
worker process or any other, changes the version, so the next request computes afresh;
old versions are dropped. Access checks and the audit record are never cached: they run
on every request, in the services, around these values.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import TypeVar

from sqlalchemy import Table

from lantern.api.context import AppContext

T = TypeVar("T")


def latest_ids(ctx: AppContext, *tables: Table) -> tuple[object, ...]:
    """``max(id)`` of each table (``None`` when empty), in one round trip: a version
    stamp that moves whenever a row is added to any of them. A plain DBAPI statement
    (each ``max`` is read from the end of the primary key)."""
    connection = ctx.engine.raw_connection()  # back to the pool (rolled back) when closed
    try:
        cursor = connection.cursor()
        try:
            cursor.execute(_latest_sql(tables))
            return tuple(cursor.fetchone() or ())
        finally:
            cursor.close()
    finally:
        connection.close()


@functools.lru_cache(maxsize=64)
def _latest_sql(tables: tuple[Table, ...]) -> str:
    return "SELECT " + ", ".join(f"(SELECT max(id) FROM {t.name})" for t in tables)


def cached(ctx: AppContext, name: str, version: object, compute: Callable[[], T]) -> T:
    """The value of ``name`` at ``version``, computed once per process and version."""
    key = (name, version)
    if key in ctx.cache:
        return ctx.cache[key]  # type: ignore[no-any-return]
    with ctx.cache_lock:  # one computation at a time; the others wait for it
        if key not in ctx.cache:
            value = compute()
            for old in [k for k in ctx.cache if isinstance(k, tuple) and k[0] == name]:
                del ctx.cache[old]
            ctx.cache[key] = value
    return ctx.cache[key]  # type: ignore[no-any-return]


def is_cached(ctx: AppContext, name: str, version: object) -> bool:
    """Whether ``name`` at ``version`` is already computed in this process."""
    return (name, version) in ctx.cache


def clear(ctx: AppContext) -> None:
    """Drop every cached value (tests, operators after editing data by hand)."""
    with ctx.cache_lock:
        ctx.cache.clear()

