"""The audit log: append-only, hash-chained, verified end to end.

Each row's hash is SHA-256 over its own fields and the previous row's hash, and ``seq``
counts up from 1 with no gaps. An edited row fails its own hash; a removed row leaves a
gap and breaks the next row's ``prev_hash``; a reordered row fails both. Removing rows
from the end can only be seen against a saved head (``verify`` prints it, to be kept
elsewhere, e.g. in the operations log).
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, insert, or_, select, text
from sqlalchemy.exc import IntegrityError, OperationalError

from lantern.access.roles import Principal
from lantern.store.tables.access import audit_log

GENESIS = "0" * 64
_FIELDS = (
    "seq",
    "at",
    "username",
    "role",
    "action",
    "outcome",
    "purpose",
    "subject",
    "result_ids",
    "detail",
    "client",
    "prev_hash",
)
_APPEND_LOCK = threading.Lock()
# The chain's head is the row with the highest seq, the primary key (SQLite's rowid): read
# from the end of the index, never by scanning. Statements built once, not per append.
_HEAD = select(audit_log.c.seq, audit_log.c.hash).order_by(audit_log.c.seq.desc()).limit(1)
_APPEND = insert(audit_log)


def row_hash(values: dict[str, object]) -> str:
    """The chained hash of one row: canonical JSON of its fields, previous hash included."""
    payload = json.dumps([values.get(f) for f in _FIELDS], separators=(",", ":"))
    return hashlib.sha256(payload.encode()).hexdigest()


def _now_iso() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


@dataclass(frozen=True)
class Actor:
    """Who did it: a logged-in principal or a system/CLI actor."""

    username: str
    role: str

    @classmethod
    def of(cls, principal: Principal) -> Actor:
        return cls(principal.username, principal.role.value)


def record(
    engine: Engine,
    *,
    actor: Actor | Principal,
    action: str,
    outcome: str = "ok",
    purpose: str | None = None,
    subject: str | None = None,
    result_ids: Sequence[str] = (),
    detail: dict[str, object] | None = None,
    client: str | None = None,
) -> int:
    """Append one entry and return its ``seq``; raises if it cannot be written.

    Callers write this before they return the data it describes, so a read that could
    not be logged is never served.
    """
    if isinstance(actor, Principal):
        actor = Actor.of(actor)
    base: dict[str, object] = {
        "username": actor.username,
        "role": actor.role,
        "action": action,
        "outcome": outcome,
        "purpose": purpose,
        "subject": subject,
        "result_ids": json.dumps([str(i) for i in result_ids], separators=(",", ":")),
        "detail": json.dumps(detail, sort_keys=True, default=str) if detail else None,
        "client": client,
    }
    append = _raw_appender(engine)
    last_error: Exception | None = None
    for attempt in range(20):
        try:
            if append is not None:
                with _APPEND_LOCK:
                    return append(base)
            with _APPEND_LOCK, _writer(engine) as conn:
                head = conn.execute(_HEAD).first()
                seq = (head.seq + 1) if head else 1
                prev = head.hash if head else GENESIS
                values = dict(base, seq=seq, at=_now_iso(), prev_hash=prev)
                values["hash"] = row_hash(values)
                conn.execute(_APPEND, values)
            return seq
        except (IntegrityError, OperationalError) as exc:  # a writer elsewhere won a race
            last_error = exc
        except Exception as exc:  # the same, raised by the DBAPI driver itself
            if not _is_retryable(engine, exc):
                raise
            last_error = exc
        time.sleep(min(0.005 * (attempt + 1), 0.1))
    raise RuntimeError(f"could not append to the audit log: {last_error}")


# The append on the hot path of every request, as plain DBAPI statements: the same four
# steps as ``_writer`` (take the log's write lock, read the head from the end of the
# primary key, insert the next row, commit) without SQLAlchemy's per-statement work
# (about 170 -> 50 microseconds on SQLite). The row and its hash are exactly those the
# SQLAlchemy path writes, and ``verify`` reads them back the same way.
_COLUMNS = (*_FIELDS, "hash")
_HEAD_SQL = "SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1"


def _insert_sql(placeholder: str) -> str:
    return (f"INSERT INTO audit_log ({', '.join(_COLUMNS)}) "
            f"VALUES ({', '.join([placeholder] * len(_COLUMNS))})")


def _is_retryable(engine: Engine, exc: Exception) -> bool:
    dbapi = engine.dialect.loaded_dbapi
    return isinstance(exc, (dbapi.IntegrityError, dbapi.OperationalError))


def _next_row(base: dict[str, object], head: tuple[int, str] | None) -> tuple[int, list[object]]:
    seq = head[0] + 1 if head else 1
    values = dict(base, seq=seq, at=_now_iso(), prev_hash=head[1] if head else GENESIS)
    values["hash"] = row_hash(values)
    return seq, [values[c] for c in _COLUMNS]


def _raw_appender(engine: Engine) -> Callable[[dict[str, object]], int] | None:
    """A DBAPI append for a SQLite file or PostgreSQL; ``None`` for anything else (then
    the SQLAlchemy path above does the same)."""
    if engine.dialect.name == "sqlite" and engine.url.database not in (None, "", ":memory:"):
        return functools.partial(_append_sqlite, _sqlite_writer_engine(engine))
    if engine.dialect.name == "postgresql":
        return functools.partial(_append_postgresql, engine)
    return None


_INSERT_QMARK = _insert_sql("?")
_INSERT_FORMAT = _insert_sql("%s")


def _append(connection: Any, base: dict[str, object], *, lock: tuple[str, tuple[object, ...]],
            insert: str) -> int:
    """Take the log's write lock, read the head, insert the next row, commit."""
    try:
        cursor = connection.cursor()
        try:
            cursor.execute(*lock)
            cursor.execute(_HEAD_SQL)
            seq, row = _next_row(base, cursor.fetchone())
            cursor.execute(insert, row)
            connection.commit()
        except BaseException:
            with contextlib.suppress(Exception):  # keep the first error, not this one's
                connection.rollback()
            raise
        finally:
            cursor.close()
    finally:
        connection.close()
    return seq


def _append_sqlite(writer: Engine, base: dict[str, object]) -> int:
    # autocommit connection: BEGIN IMMEDIATE takes the write lock before the head is read
    return _append(writer.raw_connection(), base, lock=("BEGIN IMMEDIATE", ()),
                   insert=_INSERT_QMARK)


def _append_postgresql(engine: Engine, base: dict[str, object]) -> int:
    return _append(engine.raw_connection(), base,
                   lock=("SELECT pg_advisory_xact_lock(%s)", (_PG_LOCK_KEY,)),
                   insert=_INSERT_FORMAT)


_SQLITE_WRITERS: dict[str, Engine] = {}
_PG_LOCK_KEY = 0x4C616E74  # "Lant": one advisory lock for every appender


def _sqlite_writer_engine(engine: Engine) -> Engine:
    """A second engine on the same SQLite file whose connections begin transactions only
    when told to, so that an append can take the write lock first (BEGIN IMMEDIATE)."""
    key = engine.url.render_as_string(hide_password=False)
    if key not in _SQLITE_WRITERS:
        writer = create_engine(key, connect_args={"isolation_level": None,
                                                  "check_same_thread": False})

        def pragmas(dbapi_connection: object, _record: object) -> None:
            cursor = dbapi_connection.cursor()  # type: ignore[attr-defined]
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.close()

        event.listen(writer, "connect", pragmas)
        _SQLITE_WRITERS[key] = writer
    return _SQLITE_WRITERS[key]


@contextlib.contextmanager
def _writer(engine: Engine) -> Iterator[Connection]:
    """A transaction that holds the log's write lock from its first statement, so that
    reading the head and appending after it cannot interleave with another writer (other
    threads, other worker processes)."""
    if engine.dialect.name == "sqlite" and engine.url.database not in (None, "", ":memory:"):
        with _sqlite_writer_engine(engine).connect() as conn:
            conn.exec_driver_sql("BEGIN IMMEDIATE")
            try:
                yield conn
            except BaseException:
                conn.rollback()
                raise
            conn.commit()
        return
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_LOCK_KEY})
        yield conn


@dataclass
class Problem:
    seq: int
    kind: str  # "edited" | "broken_chain" | "gap" | "out_of_order"
    message: str


@dataclass
class VerifyResult:
    rows: int = 0
    head_seq: int = 0
    head_hash: str = GENESIS
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def _rows_in_storage_order(engine: Engine, batch: int) -> Iterable[dict[str, object]]:
    """Rows by ``seq``, streamed in batches so verification scales to long logs."""
    after = None
    while True:
        query = select(audit_log).order_by(audit_log.c.seq).limit(batch)
        if after is not None:
            query = query.where(audit_log.c.seq > after)
        with engine.connect() as conn:
            rows = [dict(r._mapping) for r in conn.execute(query)]
        if not rows:
            return
        yield from rows
        after = rows[-1]["seq"]


def verify(engine: Engine, *, batch: int = 5000) -> VerifyResult:
    """Walk the chain from the first row; report every row that does not fit."""
    result = VerifyResult()
    expected_seq = 1
    prev_hash = GENESIS
    for row in _rows_in_storage_order(engine, batch):
        seq = int(row["seq"])  # type: ignore[call-overload]
        result.rows += 1
        if seq != expected_seq:
            kind = "gap" if seq > expected_seq else "out_of_order"
            result.problems.append(
                Problem(seq, kind, f"expected row {expected_seq}, found row {seq}")
            )
        if row["prev_hash"] != prev_hash:
            result.problems.append(
                Problem(seq, "broken_chain", "previous-hash link does not match the row before")
            )
        if row_hash(row) != row["hash"]:
            result.problems.append(Problem(seq, "edited", "row content does not match its hash"))
        expected_seq = seq + 1
        prev_hash = str(row["hash"])
        result.head_seq, result.head_hash = seq, prev_hash
    return result


@dataclass(frozen=True)
class Entry:
    seq: int
    at: str
    username: str
    role: str
    action: str
    outcome: str
    purpose: str | None
    subject: str | None
    result_ids: list[str]
    detail: dict[str, object] | None
    client: str | None


def show(
    engine: Engine,
    *,
    user: str | None = None,
    person: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    action: str | None = None,
    limit: int = 200,
) -> list[Entry]:
    """Entries filtered by user, by person (subject or among the results) and by time."""
    query = select(audit_log).order_by(audit_log.c.seq.desc()).limit(limit)
    if user:
        query = query.where(audit_log.c.username == user)
    if person:
        query = query.where(
            or_(
                audit_log.c.subject == person,
                audit_log.c.result_ids.like(f'%"{person}"%'),
            )
        )
    if since:
        query = query.where(audit_log.c.at >= _iso(since))
    if until:
        query = query.where(audit_log.c.at <= _iso(until))
    if action:
        query = query.where(audit_log.c.action == action)
    with engine.connect() as conn:
        rows = conn.execute(query).all()
    return [
        Entry(
            seq=r.seq,
            at=r.at,
            username=r.username,
            role=r.role,
            action=r.action,
            outcome=r.outcome,
            purpose=r.purpose,
            subject=r.subject,
            result_ids=json.loads(r.result_ids),
            detail=json.loads(r.detail) if r.detail else None,
            client=r.client,
        )
        for r in rows
    ]


def _iso(moment: datetime) -> str:
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
