"""`pegboard serve` killed with SIGKILL under order load loses no acknowledged order and doubles none."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select

from pegboard.adapters.db import tables as t
from pegboard.bootstrap import bootstrap
from pegboard.config import Settings
from pegboard.services.tokens import Role, create_token
from tests.builders import make_items, set_stock
from tests.conftest import MONDAY
from tests.e2e.test_pages_in_browser import free_port
from tests.invariants import assert_invariants
from tests.serving import answers

COMMAND = [sys.executable, "-m", "pegboard.entrypoints.cli"]
#: Acknowledged orders before the kill: enough that the kill lands mid-stream.
BEFORE_KILL = 60
CLIENTS = 6


def wait_for(condition: object, what: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while not condition():  # type: ignore[operator]
        assert time.monotonic() < deadline, f"{what} did not happen within {seconds} s"
        time.sleep(0.05)


class Server:
    """`pegboard serve` with its writer process, on a free port."""

    def __init__(self, db_url: str) -> None:
        self.environment = os.environ | {"PEGBOARD_INTAKE_PROCESS": "true", "PEGBOARD_DATABASE_URL": db_url}
        self.port = free_port()
        self.process = subprocess.Popen(
            [*COMMAND, "serve", "--port", str(self.port)],
            env=self.environment,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        self.children: list[int] = []
        wait_for(lambda: answers(f"http://127.0.0.1:{self.port}/"), "the server's start")
        self.children = [
            int(pid)
            for task in Path(f"/proc/{self.process.pid}/task").iterdir()
            for pid in (task / "children").read_text().split()
        ]

    @property
    def orders_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/v1/orders"

    def kill(self) -> None:
        """SIGKILL the server; its writer finds its pipe closed and exits: wait until it has."""
        os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait(30)
        wait_for(lambda: not any(_alive(pid) for pid in self.children), "the writer's exit")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            self.process.wait(30)


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split()[2]
    except FileNotFoundError:
        return False
    return state != "Z"


def body(ref: str) -> dict[str, object]:
    return {"order_ref": ref, "customer": "Ada", "lines": [{"sku": "KETTLE", "quantity": 1}]}


@pytest.fixture
def token(db_url: str) -> Iterator[str]:
    board = bootstrap(Settings(database_url=db_url), today=MONDAY)
    make_items(board, "KETTLE")
    set_stock(board, KETTLE=100)
    created = create_token("load", Role.OPERATOR, uow=board.uow())  # in this process: no second start-up
    board.close()
    yield created


@pytest.mark.slow
def test_a_server_killed_under_load_loses_no_acknowledged_order_and_doubles_none(
    db_url: str, token: str
) -> None:
    headers = {"Authorization": f"Bearer {token}"}
    acknowledged: set[str] = set()
    unknown: set[str] = set()
    lock = threading.Lock()
    server = Server(db_url)

    def send(client_no: int) -> None:
        with httpx.Client(headers=headers, timeout=30) as client:
            for n in range(10_000):
                ref = f"LOAD-{client_no}-{n}"
                try:
                    answer = client.post(server.orders_url, json=body(ref))
                except httpx.TransportError:
                    with lock:
                        unknown.add(ref)
                    return
                with lock:
                    (acknowledged if answer.status_code in (200, 201) else unknown).add(ref)

    clients = [threading.Thread(target=send, args=(n,), daemon=True) for n in range(CLIENTS)]
    try:
        for thread in clients:
            thread.start()
        wait_for(lambda: len(acknowledged) >= BEFORE_KILL, "enough acknowledged orders")
        server.kill()
        for thread in clients:
            thread.join(60)
        board = bootstrap(Settings(database_url=db_url), today=MONDAY)
        with board.engine.connect() as conn:
            stored = conn.execute(select(t.sales_orders.c.order_ref)).scalars().all()
            lines = conn.execute(select(func.count()).select_from(t.order_lines)).scalar_one()
        assert acknowledged <= set(stored), f"lost: {sorted(acknowledged - set(stored))}"
        assert len(stored) == len(set(stored)) == lines, "an order or a line was written twice"
        assert set(stored) <= acknowledged | unknown
        assert_invariants(board.engine)

        # The orders whose answer was lost are sent again to a new server: each is placed once.
        server = Server(db_url)
        with httpx.Client(headers=headers, timeout=30) as client:
            again = {ref: client.post(server.orders_url, json=body(ref)).status_code for ref in unknown}
    finally:
        server.stop()

    assert set(again.values()) <= {200, 201}
    with board.engine.connect() as conn:
        stored = conn.execute(select(t.sales_orders.c.order_ref)).scalars().all()
        allocated = conn.execute(select(func.sum(t.order_lines.c.allocated))).scalar_one()
    assert sorted(stored) == sorted(acknowledged | unknown)
    assert Decimal(allocated) == min(Decimal(100), Decimal(len(stored)))
    assert_invariants(board.engine)
    board.close()
