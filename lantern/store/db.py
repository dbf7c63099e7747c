"""Opening the store: resolve the URL, create the folder, migrate to head with Alembic."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url

DEFAULT_DB = "./lantern-data/lantern.db"
MIGRATIONS = Path(__file__).parent / "migrations"


def resolve_url(db: str | None = None) -> str:
    """``--db`` wins, then ``LANTERN_DB``, then the embedded SQLite default.

    A plain path is taken as a SQLite file; anything with ``://`` is a SQLAlchemy URL
    (``postgresql+psycopg://user@host/db``).
    """
    value = db or os.environ.get("LANTERN_DB") or DEFAULT_DB
    if "://" in value:
        if value.startswith("postgresql://"):
            value = "postgresql+psycopg://" + value.removeprefix("postgresql://")
        return value
    return f"sqlite:///{value}"


def _sqlite_pragmas(dbapi_connection: object, _record: object) -> None:
    cursor = dbapi_connection.cursor()  # type: ignore[attr-defined]
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def create_store_engine(url: str) -> Engine:
    """A SQLAlchemy engine with the settings Lantern relies on (WAL and FKs on SQLite)."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, pool_pre_ping=True)


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def head_revision() -> str | None:
    return ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()


def current_revision(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


def migrate(engine: Engine) -> None:
    """Upgrade the schema to head; a no-op (one query) when already there."""
    with engine.connect() as connection:
        if current_revision(connection) == head_revision():
            return
    with engine.begin() as connection:
        config = alembic_config(str(engine.url))
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


def open_store(db: str | None = None, *, upgrade: bool = True) -> Engine:
    """The store for ``--db``/``LANTERN_DB``/default, migrated to the current schema."""
    engine = create_store_engine(resolve_url(db))
    if upgrade:
        migrate(engine)
    return engine


@contextmanager
def transaction(engine: Engine) -> Iterator[Connection]:
    """One atomic unit of work: everything inside commits together or not at all."""
    with engine.begin() as connection:
        yield connection
