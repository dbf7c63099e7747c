"""Shared fixtures: every store test runs on SQLite and, when a server is given, PostgreSQL.

``scripts/test.sh`` (what ``make test`` runs) starts a PostgreSQL server on loopback and
sets ``LANTERN_TEST_PG_URL``; without it the PostgreSQL cases are skipped.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url

from lantern.store.db import open_store

PG_URL = os.environ.get("LANTERN_TEST_PG_URL")
BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]


def _fresh_pg_database() -> tuple[str, str]:
    assert PG_URL
    name = f"lantern_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return make_url(PG_URL).set(database=name).render_as_string(hide_password=False), name


def _drop_pg_database(name: str) -> None:
    assert PG_URL
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(params=BACKENDS)
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The URL of an empty store, one per test, on each backend."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'lantern.db'}"
        return
    if not PG_URL:
        pytest.skip("LANTERN_TEST_PG_URL not set (scripts/test.sh starts a server)")
    url, name = _fresh_pg_database()
    try:
        yield url
    finally:
        _drop_pg_database(name)


@pytest.fixture
def engine(store_url: str) -> Iterator[Engine]:
    """The store at ``store_url``, migrated to head."""
    store = open_store(store_url)
    try:
        yield store
    finally:
        store.dispose()
