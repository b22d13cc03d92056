"""`pegboard serve` delivers the outbox in the background and stops doing so at shutdown."""

from __future__ import annotations

import threading
import time

from sqlalchemy import func, select

from pegboard.adapters.db import tables as t
from pegboard.bootstrap import Pegboard
from pegboard.config import Settings
from pegboard.entrypoints import demo
from pegboard.entrypoints.api.app import create_app
from tests.conftest import MONDAY
from tests.e2e.test_api_support import TestClient


def undelivered(pb: Pegboard) -> int:
    with pb.engine.connect() as conn:
        query = select(func.count()).select_from(t.outbox).where(t.outbox.c.delivered_at.is_(None))
        return int(conn.execute(query).scalar_one())


def deliverers() -> list[threading.Thread]:
    return [thread for thread in threading.enumerate() if thread.name == "pegboard-delivery"]


def test_the_server_delivers_new_orders_in_the_background_and_they_get_promises(db_url: str) -> None:
    app = create_app(Settings(database_url=db_url, notify_interval_seconds=0.05), today=MONDAY)
    pb: Pegboard = app.state.pegboard

    with TestClient(app):
        demo.load_catalogue(pb)
        demo.place_orders(pb)
        deadline = time.monotonic() + 60
        while undelivered(pb) and time.monotonic() < deadline:
            time.sleep(0.05)
        left = undelivered(pb)
        with pb.reader() as uow:
            promised = {ref for ref, _ in uow.planning.stored_promises()}

    assert left == 0
    assert promised == {"SO-1", "SO-2"}
    assert deliverers() == []


def test_an_interval_of_zero_turns_background_delivery_off(db_url: str) -> None:
    app = create_app(Settings(database_url=db_url, notify_interval_seconds=0), today=MONDAY)

    with TestClient(app):
        running = deliverers()

    assert running == []
