"""``lantern serve``'s HTTP protocol: no Nagle delay on any connection, with h11 or
httptools; uvloop and httptools chosen when installed."""

from __future__ import annotations

import asyncio
import socket
from typing import Any

import pytest
from uvicorn.config import Config
from uvicorn.server import ServerState

from lantern.api import asgi
from lantern.api.asgi import HTTP_PROTOCOL, NoDelayH11

PROTOCOLS = [NoDelayH11]
if hasattr(asgi, "NoDelayHttpTools"):
    PROTOCOLS.append(asgi.NoDelayHttpTools)


class _Transport:
    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        return {"socket": self.sock, "peername": ("127.0.0.1", 1),
                "sockname": ("127.0.0.1", 2)}.get(name, default)

    def is_closing(self) -> bool:
        return False


async def _noop(scope: Any, receive: Any, send: Any) -> None:
    return None


def test_serve_uses_the_c_parser_and_uvloop_when_installed() -> None:
    config = Config(app=_noop, http=HTTP_PROTOCOL, loop=asgi.EVENT_LOOP, lifespan="off")
    config.load()
    assert config.http_protocol_class is PROTOCOLS[-1]
    try:
        import uvloop  # noqa: F401
    except ImportError:
        assert asgi.EVENT_LOOP == "asyncio"
    else:
        assert asgi.EVENT_LOOP == "uvloop"


@pytest.mark.parametrize("protocol_class", PROTOCOLS, ids=lambda c: c.__name__)
def test_connections_get_tcp_nodelay_even_from_a_socket_without_a_protocol(
        protocol_class: Any) -> None:
    # uvicorn --workers hands workers a listening socket made with proto 0, whose accepted
    # connections asyncio leaves with Nagle on: 40 ms more on every small response
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)  # proto 0, as uvicorn's
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    client = socket.create_connection(listener.getsockname())
    conn, _ = listener.accept()
    loop = asyncio.new_event_loop()
    try:
        assert conn.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) == 0
        config = Config(app=_noop, http=protocol_class, lifespan="off")
        config.load()
        # its own loop: whether a current one exists depends on the tests run before
        protocol = protocol_class(config=config, server_state=ServerState(), app_state={},
                                  _loop=loop)
        protocol.connection_made(_Transport(conn))  # type: ignore[arg-type]
        assert conn.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) == 1
    finally:
        loop.close()
        for s in (client, conn, listener):
            s.close()
