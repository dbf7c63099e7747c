"""Bulk writes for ingest: executemany on SQLite, COPY on PostgreSQL, never row by row.

Rows go straight to the DB-API cursor (SQLAlchemy's per-row bind processing would cost
more than the insert), so values are given in the form each backend stores: on SQLite
dates and times as the ISO text SQLAlchemy itself writes, booleans as 0/1.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime
from itertools import repeat
from typing import Any

from sqlalchemy import Connection, Table, func, select, text
from sqlalchemy.dialects import postgresql, sqlite

LOOKUP_BATCH = 5000
_INGEST_LOCK = 0x4C414E54  # advisory lock key serialising ingests on PostgreSQL


def is_postgres(conn: Connection) -> bool:
    return conn.dialect.name == "postgresql"


def _sqlite_text(values: Iterable[Any], kind: type) -> Iterable[Any]:
    """Dates and times as the ISO text SQLAlchemy's SQLite types read back."""
    if kind is datetime:
        return [None if v is None else v.strftime("%Y-%m-%d %H:%M:%S.%f") for v in values]
    return [None if v is None else v.isoformat() for v in values]


def insert_columns(conn: Connection, table: Table, names: Sequence[str],
                   columns: Sequence[Iterable[Any]]) -> None:
    """Insert rows given column by column (``itertools.repeat`` for a constant column)."""
    if not is_postgres(conn):
        converted = []
        for name, values in zip(names, columns, strict=True):
            python_type = table.c[name].type.python_type
            if python_type in (date, datetime) and not isinstance(values, repeat):
                values = _sqlite_text(values, python_type)
            converted.append(values)
        columns = converted
    insert_rows(conn, table, names, list(zip(*columns, strict=False)))


def insert_rows(conn: Connection, table: Table, columns: Sequence[str],
                rows: Sequence[Sequence[Any]]) -> None:
    """Insert many rows (tuples in ``columns`` order) in one round of bulk I/O.

    Values must already be in the backend's form for dates (see :func:`insert_columns`).
    """
    if not rows:
        return
    quote = conn.dialect.identifier_preparer.quote
    names = ", ".join(quote(c) for c in columns)
    if is_postgres(conn):
        raw = conn.connection.driver_connection
        sql = f"COPY {quote(table.name)} ({names}) FROM STDIN"
        with raw.cursor() as cursor, cursor.copy(sql) as copy:  # type: ignore[union-attr]
            for row in rows:
                copy.write_row(row)
        return
    marks = ", ".join("?" for _ in columns)
    conn.exec_driver_sql(f"INSERT INTO {quote(table.name)} ({names}) VALUES ({marks})",
                         list(rows))  # type: ignore[arg-type]


def lock_for_ingest(conn: Connection) -> None:
    """Serialise ingests (id allocation and supersession read-then-write)."""
    if is_postgres(conn):
        conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _INGEST_LOCK})


def next_id(conn: Connection, table: Table) -> int:
    """The first free id, for ids handed out in bulk under the ingest lock."""
    return int(conn.execute(select(func.coalesce(func.max(table.c.id), 0))).scalar_one()) + 1


def sync_sequence(conn: Connection, table: Table) -> None:
    """After explicit ids on PostgreSQL, move the serial sequence past them."""
    if is_postgres(conn):
        conn.execute(text(
            f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
            f"(SELECT COALESCE(MAX(id), 0) + 1 FROM {table.name}), false)"
        ))


def _batches(items: Sequence[Any], size: int = LOOKUP_BATCH) -> Iterable[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def select_in(conn: Connection, sql: str, params: Sequence[Any],
              values: Sequence[Any]) -> list[tuple[Any, ...]]:
    """Run ``sql`` (ending in ``IN``-list placeholder ``{in}``) over many values at once.

    Raw DB-API SQL: building an ``IN`` of thousands of bound parameters through
    SQLAlchemy's compiler would cost more than the query. PostgreSQL gets one array.
    """
    out: list[tuple[Any, ...]] = []
    if is_postgres(conn):
        query = sql.replace("?", "%s").replace("{in}", "= ANY(%s)")
        if values:
            out.extend(conn.exec_driver_sql(query, (*params, list(values))).fetchall())
        return out
    for part in _batches(values, LOOKUP_BATCH):
        query = sql.replace("{in}", f"IN ({', '.join('?' * len(part))})")
        out.extend(conn.exec_driver_sql(query, (*params, *part)).fetchall())
    return out


def current_records(conn: Connection, table: Table, ref_column: str, agency: str,
                    refs: Sequence[str]) -> dict[str, tuple[int, int]]:
    """``ref -> (id, version)`` of the current stored version, for the refs that have one."""
    sql = (f"SELECT {ref_column}, id, version FROM {table.name} "
           f"WHERE agency = ? AND is_current = ? AND {ref_column} {{in}}")
    rows = select_in(conn, sql, (agency, True), list(dict.fromkeys(refs)))
    return {r: (int(i), int(v)) for r, i, v in rows}


def any_records(conn: Connection, table: Table, agency: str) -> bool:
    query = select(table.c.id).where(table.c.agency == agency).limit(1)
    return conn.execute(query).first() is not None


def set_flag(conn: Connection, table: Table, column: str, value: bool,
             ids: Sequence[int]) -> None:
    """``column = value`` on the rows with these ids, in batches."""
    if not ids:
        return
    if is_postgres(conn):
        conn.exec_driver_sql(f"UPDATE {table.name} SET {column} = %s WHERE id = ANY(%s)",
                             (value, list(ids)))
        return
    for part in _batches(list(ids), LOOKUP_BATCH):
        conn.exec_driver_sql(
            f"UPDATE {table.name} SET {column} = ? WHERE id IN ({', '.join('?' * len(part))})",
            (value, *part),
        )


def upsert(conn: Connection, table: Table, rows: list[dict[str, Any]], *, key: str,
           keep_when_null: Sequence[str] = ()) -> None:
    """Insert or update on the primary key (SQLite and PostgreSQL ``ON CONFLICT``)."""
    if not rows:
        return
    dialect = postgresql if is_postgres(conn) else sqlite
    for part in _batches(rows, 500):
        statement = dialect.insert(table).values(list(part))
        updates = {
            c: (func.coalesce(statement.excluded[c], table.c[c]) if c in keep_when_null
                else statement.excluded[c])
            for c in rows[0] if c != key
        }
        conn.execute(statement.on_conflict_do_update(index_elements=[key], set_=updates))
