"""Splink database backends: in-memory DuckDB (default) or local-mode Spark."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pandas as pd


@contextmanager
def database_api(backend: str, **options: Any) -> Iterator[Any]:
    """A Splink database API: in-memory DuckDB (default) or local-mode Spark."""
    if backend == "duckdb":
        import duckdb
        from splink.backends.duckdb import DuckDBAPI

        connection = duckdb.connect()
        threads = options.get("threads")
        if threads:
            connection.execute(f"SET threads = {int(threads)}")
        memory = options.get("memory_limit")  # e.g. "10GB": DuckDB spills to disk beyond
        if memory:
            connection.execute(f"SET memory_limit = '{memory}'")
        try:
            yield DuckDBAPI(connection=connection)
        finally:
            connection.close()
        return
    if backend == "spark":
        from lantern.resolve.spark import spark_api

        with spark_api(**options) as api:
            yield api
        return
    raise ValueError(f"unknown backend {backend!r} (duckdb or spark)")


def register(db_api: Any, features: pd.DataFrame, name: str) -> Any:
    """Register the feature frame with the backend (Spark needs an explicit schema)."""
    if type(db_api).__name__.startswith("Spark"):
        from lantern.resolve.spark import to_spark

        return db_api.register(to_spark(db_api.spark, features), table_name=name)
    return db_api.register(features, table_name=name)


def dialect_of(db_api: Any) -> str:
    """The SQL dialect of a Splink database API (``duckdb``, ``spark``)."""
    return str(db_api.sql_dialect.sql_dialect_str)
