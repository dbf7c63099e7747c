"""Ingest fixtures. ``engine`` (an empty store per test, on SQLite and, when configured,
PostgreSQL) comes from ``tests/conftest.py``."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine

from lantern.ingest import load_areas
from tests.ingest.ingest_helpers import SAMPLE


@pytest.fixture
def store(engine: Engine) -> Engine:
    """An empty store with the sample areas loaded."""
    load_areas(engine, SAMPLE / "areas.csv")
    return engine
