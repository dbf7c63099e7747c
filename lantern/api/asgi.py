"""An app factory for ``uvicorn --factory`` and ``lantern serve --workers N``: each worker
process opens the store named by ``LANTERN_DB`` and builds its own search index before it
accepts requests. Also the HTTP protocol ``lantern serve`` runs uvicorn with."""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket

from fastapi import FastAPI
from uvicorn.protocols.http.h11_impl import H11Protocol

from lantern.api.app import create_app
from lantern.store.db import open_store

# for uvicorn.run(http=...): the import path of NoDelayH11
HTTP_PROTOCOL = "lantern.api.asgi:NoDelayH11"


class NoDelayH11(H11Protocol):
    """uvicorn's HTTP/1.1 protocol with Nagle's algorithm switched off on each connection.

    With ``--workers N`` uvicorn binds the listening socket itself without a protocol
    number, and asyncio sets ``TCP_NODELAY`` only on sockets whose protocol is TCP; so
    every small response (headers and body written separately) waited for the client's
    delayed ACK: 44 ms for a 1 ms request. Setting it here is right for both modes.
    """

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        sock = transport.get_extra_info("socket")
        if sock is not None and sock.family in (socket.AF_INET, socket.AF_INET6):
            with contextlib.suppress(OSError):
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        super().connection_made(transport)


def create_from_env() -> FastAPI:
    engine = open_store(os.environ.get("LANTERN_DB"))
    app = create_app(engine, secret=os.environ.get("LANTERN_SECRET"),
                     secure_cookies=os.environ.get("LANTERN_SECURE_COOKIES") == "1")
    app.state.ctx.index.refresh(force=True)
    return app
