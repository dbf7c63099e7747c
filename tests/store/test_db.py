from pathlib import Path

import pytest

from lantern.store.db import DEFAULT_DB, resolve_url


def test_db_option_wins_over_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LANTERN_DB", "/tmp/from-env.db")
    assert resolve_url("/tmp/explicit.db") == "sqlite:////tmp/explicit.db"
    assert resolve_url(None) == "sqlite:////tmp/from-env.db"


def test_default_is_embedded_sqlite(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("LANTERN_DB", raising=False)
    assert resolve_url(None) == f"sqlite:///{DEFAULT_DB}"
    assert Path(DEFAULT_DB).name == "lantern.db"


def test_postgres_urls_use_psycopg3() -> None:
    assert resolve_url("postgresql://u@h/db") == "postgresql+psycopg://u@h/db"
