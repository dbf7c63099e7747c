"""An app factory for ``uvicorn --factory`` and ``lantern serve --workers N``: each worker
process opens the store named by ``LANTERN_DB`` and builds its own search index before it
accepts requests. Also the HTTP protocol and event loop ``lantern serve`` runs uvicorn
with: httptools' C parser and uvloop when they are installed (``uvicorn[standard]``'s
choice; they are dependencies of Lantern on Linux and macOS), else h11 and asyncio."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import os
import socket
from importlib import import_module

from fastapi import FastAPI
from uvicorn.protocols.http.h11_impl import H11Protocol

from lantern.api.app import create_app
from lantern.store.db import open_store


def _no_delay(transport: asyncio.BaseTransport) -> None:
    """Switch Nagle's algorithm off on a connection.

    With ``--workers N`` uvicorn binds the listening socket itself without a protocol
    number, and asyncio sets ``TCP_NODELAY`` only on sockets whose protocol is TCP; so
    every small response (headers and body written separately) waited for the client's
    delayed ACK: 44 ms for a 1 ms request. Setting it on each connection is right for
    both modes and every event loop.
    """
    sock = transport.get_extra_info("socket")
    if sock is not None and sock.family in (socket.AF_INET, socket.AF_INET6):
        with contextlib.suppress(OSError):
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


class NoDelayH11(H11Protocol):
    """uvicorn's pure-Python HTTP/1.1 protocol (h11), without Nagle's algorithm."""

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        _no_delay(transport)
        super().connection_made(transport)


try:
    from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol
except ImportError:  # httptools not installed: h11
    HTTP_PROTOCOL = "lantern.api.asgi:NoDelayH11"
else:

    class NoDelayHttpTools(HttpToolsProtocol):
        """uvicorn's HTTP/1.1 protocol on httptools (llhttp, in C), without Nagle's
        algorithm: about a tenth of a millisecond less CPU per request than h11."""

        def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
            _no_delay(transport)
            super().connection_made(transport)

    HTTP_PROTOCOL = "lantern.api.asgi:NoDelayHttpTools"

# for uvicorn.run(loop=...): uvloop when installed (uvicorn's "auto" does the same)
try:
    import uvloop  # noqa: F401
except ImportError:
    EVENT_LOOP = "asyncio"
else:
    EVENT_LOOP = "uvloop"


WARM_MODULES = ("lantern.screen.timeline", "lantern.screen.alerts", "lantern.resolve.review",
                "lantern.national.stage", "lantern.national.funnel", "lantern.national.sdc",
                "lantern.national.mse.estimate", "lantern.ingest")


def warm_up() -> None:
    """Import the analytical services now, so the first visitor does not wait for them
    (SciPy and statsmodels take seconds; a hot route's service runs in the event loop)."""
    for name in WARM_MODULES:
        try:
            import_module(name)
        except ImportError:
            continue


def prepare_worker(app: FastAPI) -> None:
    """Get a serving process ready before it accepts requests: the services imported, the
    search index built, and everything that lives as long as the process (modules, the
    app, the first index: about 360,000 objects at 100,000 people) moved out of the
    cyclic garbage collector's way with ``gc.freeze``, so that its full collections do
    not walk them again and again under load. Frozen objects are still freed by
    reference counting when dropped (a rebuilt index replaces the first one)."""
    warm_up()
    app.state.ctx.index.refresh(force=True)
    gc.collect()
    gc.freeze()


def create_from_env() -> FastAPI:
    engine = open_store(os.environ.get("LANTERN_DB"))
    app = create_app(engine, secret=os.environ.get("LANTERN_SECRET"),
                     secure_cookies=os.environ.get("LANTERN_SECURE_COOKIES") == "1")
    prepare_worker(app)
    return app
