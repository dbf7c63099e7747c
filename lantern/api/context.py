"""What every request can reach: the store, the search index, the app's secret."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine

from lantern.search import SearchIndex


class NotFound(Exception):
    """The thing asked for does not exist (404)."""


class ServiceUnavailable(Exception):
    """A stage whose results a page needs has not been run or is not installed (503)."""


class BadInput(Exception):
    """The request was understood but its content is wrong (422 with one clear line)."""


@dataclass
class AppContext:
    engine: Engine
    secret: bytes
    index: SearchIndex = field(init=False)
    secure_cookies: bool = False
    cache: dict[Any, Any] = field(default_factory=dict)
    cache_lock: threading.RLock = field(default_factory=threading.RLock)

    # Run the hot read routes' services in the event loop rather than in a worker thread
    # (see ``lantern.api.deps.run``): on a SQLite file every statement is local CPU work,
    # so a thread only adds hand-offs and GIL contention.
    inline: bool = field(init=False)

    def __post_init__(self) -> None:
        self.index = SearchIndex(self.engine)
        self.inline = self.engine.dialect.name == "sqlite"


@dataclass(frozen=True)
class Call:
    """Per-request facts the services record in the audit log."""

    client: str | None = None
