"""Running the API under uvicorn, with TCP_NODELAY kept on every connection."""

from __future__ import annotations

import socket

import uvicorn
from uvicorn.supervisors import Multiprocess

APP = "pegboard.entrypoints.api.app:app_from_environment"


def run_server(*, host: str, port: int, workers: int = 1) -> None:
    """Serve the API; several workers share one listening socket that keeps TCP_NODELAY.

    uvicorn binds its multi-worker socket without IPPROTO_TCP, so asyncio leaves Nagle's
    algorithm on and every keep-alive request after the first waits ~40 ms for a delayed ACK
    (Kludex/uvicorn#3149); binding the socket here with the protocol named avoids that.
    """
    config = uvicorn.Config(
        APP, factory=True, host=host, port=port, workers=workers, log_level="warning", access_log=False
    )
    if workers <= 1:
        uvicorn.Server(config).run()
        return
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    listener = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind((host, port))
    Multiprocess(config, sockets=[listener]).run()
