"""The Alembic migrations build exactly the schema the table modules declare."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, inspect

from lantern.store.db import current_revision, head_revision, migrate
from lantern.store.tables import metadata


def test_migrations_match_the_declared_tables(engine: Engine) -> None:
    with engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), metadata)
    assert diff == []


def test_store_is_at_head_and_migrating_again_is_a_no_op(engine: Engine) -> None:
    with engine.connect() as connection:
        assert current_revision(connection) == head_revision()
    before = set(inspect(engine).get_table_names())
    migrate(engine)
    assert set(inspect(engine).get_table_names()) == before
    assert {"person_records", "event_records", "links", "quarantine"} <= before
