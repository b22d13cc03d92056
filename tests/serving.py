"""Waiting for a `pegboard serve` a test started: ask its port first, HTTP only once it listens.

`httpx.get` builds a new client, and with it a TLS context, at every call: about 46 ms of CPU even
when the connection is refused. A test that asked every 0.05 to 0.2 s while a server started (two to
six seconds at load) spent up to a core on asking, beside the server it waited for. A refused
`connect` costs microseconds; uvicorn listens only once the app has started, so the first HTTP
request after the port opens is normally answered.
"""

from __future__ import annotations

import socket
import time
from urllib.parse import urlsplit

import httpx


def listening(url: str) -> bool:
    """Whether something accepts connections on the host and port of `url`."""
    address = urlsplit(url)
    try:
        socket.create_connection((address.hostname, address.port), timeout=2).close()
    except OSError:
        return False
    return True


def answers(url: str, *, ok: bool = False) -> bool:
    """Whether a server answers at `url` yet (with 200 OK when `ok`)."""
    if not listening(url):
        return False
    try:
        status = httpx.get(url, timeout=2).status_code
    except httpx.TransportError:
        return False
    return status == 200 or not ok


def served(url: str, *, ok: bool = False, seconds: float = 60, every: float = 0.2) -> bool:
    """Wait until a server answers at `url` (200 OK when `ok`); False if it did not within `seconds`."""
    deadline = time.monotonic() + seconds
    while not answers(url, ok=ok):
        if time.monotonic() >= deadline:
            return False
        time.sleep(every)
    return True
