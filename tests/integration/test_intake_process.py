"""The order writer in a process of its own: same answers, same errors, shared transactions."""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from pegboard.adapters.db import tables as t
from pegboard.bootstrap import Pegboard, bootstrap
from pegboard.config import Settings
from pegboard.domain.errors import DuplicateRef, UnknownSku
from pegboard.entrypoints.intake_process import IntakeProcess, IntakeStopped
from pegboard.services.orders import Placed
from pegboard.services.ports import UnitOfWork
from pegboard.services.tokens import Role, create_token
from tests.builders import line_state, make_items, set_stock
from tests.conftest import MONDAY
from tests.integration.services.test_intake import allocated_by_sku, draft, item_rows_held
from tests.serving import answers, served


@pytest.fixture
def intake(pb: Pegboard) -> Iterator[IntakeProcess]:
    writer = IntakeProcess(pb.settings, today=MONDAY)
    writer.start()
    try:
        yield writer
    finally:
        writer.close()


def remember(uow: UnitOfWork, placed: Placed) -> None:
    """Written in the order's transaction, in the writer process (a function it can import)."""
    uow.requests.save(f"key-{placed.order.order_ref}", "hash", 201, "{}")


def transactions_of(pb: Pegboard) -> int:
    """Orders committed together share their created_at (the transaction's moment)."""
    with pb.engine.connect() as conn:
        return int(conn.execute(select(func.count(func.distinct(t.sales_orders.c.created_at)))).scalar_one())


def test_many_threads_placing_through_the_writer_process_each_get_their_own_order(
    pb: Pegboard, intake: IntakeProcess
) -> None:
    make_items(pb, "KETTLE", "MUG")
    set_stock(pb, KETTLE=20, MUG=7)
    drafts = [draft(f"SO-{n}", sku="KETTLE" if n % 3 else "MUG", quantity=1 + n % 2) for n in range(60)]

    with ThreadPoolExecutor(max_workers=16) as pool:
        results = list(pool.map(intake.place, drafts))

    assert [r.order.order_ref for r in results] == [d.order_ref for d in drafts]
    assert all(r.created for r in results)
    assert sum(line.allocated_quantity for r in results for line in r.order.lines) == 27
    assert allocated_by_sku(pb) == {"KETTLE": 20, "MUG": 7}


def test_orders_that_arrive_while_the_writer_is_busy_share_one_transaction(
    pb: Pegboard, intake: IntakeProcess
) -> None:
    make_items(pb, "KETTLE")
    set_stock(pb, KETTLE=5)

    with item_rows_held(pb):
        first = intake.submit(draft("SO-0"))
        # The writer is blocked on SO-0 by the held rows; these wait in the pipe meanwhile.
        time.sleep(0.5)
        rest = [intake.submit(draft(f"SO-{n}")) for n in range(1, 10)]
        time.sleep(0.2)
    results = [first.result(30), *(f.result(30) for f in rest)]

    assert [r.order.order_ref for r in results] == [f"SO-{n}" for n in range(10)]
    assert transactions_of(pb) <= 3, "SO-0 alone (perhaps one more), then the rest together"
    assert sum(line_state(pb, f"SO-{n}")[0][1] for n in range(10)) == 5


def test_a_refused_order_comes_back_as_its_own_error_and_spares_its_neighbours(
    pb: Pegboard, intake: IntakeProcess
) -> None:
    make_items(pb, "KETTLE")
    set_stock(pb, KETTLE=3)
    intake.place(draft("SO-1"))

    futures = [
        intake.submit(d)
        for d in (draft("SO-2"), draft("SO-1", quantity=2), draft("SO-3", sku="NO-SUCH-SKU"), draft("SO-4"))
    ]

    assert futures[0].result(30).created
    with pytest.raises(DuplicateRef):
        futures[1].result(30)
    with pytest.raises(UnknownSku, match="NO-SUCH-SKU") as unknown:
        futures[2].result(30)
    assert unknown.value.code == "unknown_sku"
    assert futures[3].result(30).created
    assert line_state(pb, "SO-1")[0][0:2] == ("KETTLE", Decimal(1))


def test_writes_sent_with_an_order_are_made_in_its_transaction_in_the_writer(
    pb: Pegboard, intake: IntakeProcess
) -> None:
    make_items(pb, "KETTLE")

    intake.place(draft("SO-1"), write_with_order=remember)
    with pytest.raises(TypeError, match="SO-2 cannot be sent to the writer process"):
        intake.place(draft("SO-2"), write_with_order=lambda uow, placed: None)

    with pb.engine.connect() as conn:
        keys = conn.execute(select(t.idempotency_keys.c.key)).scalars().all()
        refs = conn.execute(select(t.sales_orders.c.order_ref)).scalars().all()
    assert keys == ["key-SO-1"]
    assert refs == ["SO-1"]


def test_when_the_writer_process_dies_waiting_orders_fail_and_the_next_one_starts_a_new_writer(
    pb: Pegboard, intake: IntakeProcess
) -> None:
    make_items(pb, "KETTLE")
    set_stock(pb, KETTLE=5)
    intake.place(draft("SO-1"))
    process = intake._process

    with item_rows_held(pb):
        stuck = intake.submit(draft("SO-2"))
        time.sleep(0.5)
        os.kill(process.pid, signal.SIGKILL)
        with pytest.raises(IntakeStopped):
            stuck.result(30)

    placed = intake.place(draft("SO-3"))

    assert placed.created and intake._process is not process
    with pb.engine.connect() as conn:
        refs = conn.execute(select(t.sales_orders.c.order_ref).order_by(t.sales_orders.c.order_ref)).all()
    assert [r[0] for r in refs] == ["SO-1", "SO-3"], "SO-2 died with its writer, uncommitted"


def test_the_api_places_orders_and_shopify_deliveries_through_the_writer_process(db_url: str) -> None:
    from tests.e2e.test_api_support import open_api
    from tests.e2e.test_shopify_webhooks import SECRET, post_webhook
    from tests.shopify_server import order_json

    for api in open_api(db_url, intake_process=True, shopify_secret=SECRET):
        assert isinstance(api.client.app.state.intake, IntakeProcess)  # type: ignore[attr-defined]
        make_items(api.pb, "KETTLE")
        set_stock(api.pb, KETTLE=3)

        placed = api.post(
            "/orders", {"order_ref": "SO-1", "customer": "Ada", "lines": [{"sku": "KETTLE", "quantity": 2}]}
        )
        again = api.post(
            "/orders", {"order_ref": "SO-1", "customer": "Ada", "lines": [{"sku": "KETTLE", "quantity": 2}]}
        )
        unknown = api.post(
            "/orders", {"order_ref": "SO-2", "customer": "Ada", "lines": [{"sku": "NOPE", "quantity": 1}]}
        )
        delivered = post_webhook(api, order_json())

        assert (placed.status_code, again.status_code) == (201, 200)
        assert unknown.status_code == 404 and unknown.json()["error"]["field"] == "lines[0].sku"
        assert delivered.json() == {"outcome": "placed", "order_ref": "SHOP-1001"}
        assert [line["backordered"] for line in api.get("/orders/SHOP-1001").json()["lines"]] == [1]


def test_pegboard_serve_places_orders_in_its_writer_process_and_stops_it_at_shutdown(
    sqlite_url: str,
) -> None:
    import subprocess
    import sys
    from pathlib import Path

    import httpx

    from tests.e2e.test_pages_in_browser import free_port

    board = bootstrap(Settings(database_url=sqlite_url), today=MONDAY)
    make_items(board, "KETTLE")
    token = create_token("op", Role.OPERATOR, uow=board.uow())  # in this process: no second start-up
    board.close()
    command = [sys.executable, "-m", "pegboard.entrypoints.cli"]
    environment = os.environ | {"PEGBOARD_INTAKE_PROCESS": "true", "PEGBOARD_DATABASE_URL": sqlite_url}
    port = free_port()
    server = subprocess.Popen(
        [*command, "serve", "--port", str(port)], env=environment, stdout=subprocess.DEVNULL
    )
    url = f"http://127.0.0.1:{port}/api/v1/orders"
    try:
        assert served(f"http://127.0.0.1:{port}/"), "pegboard serve did not answer within 60 s"
        children = Path(f"/proc/{server.pid}/task/{server.pid}/children").read_text().split()
        body = {"order_ref": "SO-1", "customer": "Ada", "lines": [{"sku": "KETTLE", "quantity": 1}]}
        answer = httpx.post(url, json=body, headers={"Authorization": f"Bearer {token}"}, timeout=30)
    finally:
        server.terminate()
        server.wait(timeout=30)

    assert answer.status_code == 201, answer.text
    assert children, "the writer process runs beside the server"
    deadline = time.monotonic() + 10  # an exited child is reaped by init a moment later
    while any(Path(f"/proc/{pid}").exists() for pid in children) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not any(Path(f"/proc/{pid}").exists() for pid in children), "the writer stopped with the server"


def test_a_writer_that_cannot_reach_its_database_fails_to_start_with_a_clear_error() -> None:
    writer = IntakeProcess(Settings(database_url="postgresql+psycopg://postgres@127.0.0.1:1/nowhere"))

    with pytest.raises(IntakeStopped, match="did not start"):
        writer.start()
    writer.close()


def writer_pids(server_pid: int) -> list[int]:
    """The server's writer processes (spawned children), not multiprocessing's resource tracker."""
    from pathlib import Path

    found = []
    for task in Path(f"/proc/{server_pid}/task").iterdir():
        for pid in (task / "children").read_text().split():
            try:
                command = Path(f"/proc/{pid}/cmdline").read_bytes()
            except FileNotFoundError:
                continue
            if b"spawn_main" in command:
                found.append(int(pid))
    return found


def wait_for(condition: Callable[[], bool], what: str, seconds: float = 60) -> None:
    """Wait until `condition` holds (a writer takes a second or two to start); fail after `seconds`."""
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"{what} did not happen within {seconds} s"
        time.sleep(0.1)


def is_gone(pid: int) -> bool:
    """No process, not even a defunct one waiting to be reaped, has this pid."""
    return not os.path.exists(f"/proc/{pid}")


def test_a_writer_killed_while_idle_is_reaped_and_replaced_before_any_order_comes(
    pb: Pegboard, intake: IntakeProcess
) -> None:
    make_items(pb, "KETTLE")
    intake.place(draft("SO-1"))
    killed = intake._process

    os.kill(killed.pid, signal.SIGKILL)
    wait_for(lambda: intake._process is not None and intake._process is not killed, "a new writer")

    assert is_gone(killed.pid), "the killed writer was reaped"
    assert intake._process.is_alive()
    assert intake.place(draft("SO-2")).created


def test_pegboard_serve_replaces_a_writer_killed_with_sigkill_and_places_later_orders(
    sqlite_url: str,
) -> None:
    import subprocess
    import sys

    import httpx

    from tests.e2e.test_pages_in_browser import free_port

    board = bootstrap(Settings(database_url=sqlite_url), today=MONDAY)
    make_items(board, "KETTLE")
    token = create_token("op", Role.OPERATOR, uow=board.uow())  # in this process: no second start-up
    board.close()
    command = [sys.executable, "-m", "pegboard.entrypoints.cli"]
    environment = os.environ | {"PEGBOARD_INTAKE_PROCESS": "true", "PEGBOARD_DATABASE_URL": sqlite_url}
    port = free_port()
    server = subprocess.Popen(
        [*command, "serve", "--port", str(port)], env=environment, stdout=subprocess.DEVNULL
    )
    url = f"http://127.0.0.1:{port}/api/v1/orders"
    headers = {"Authorization": f"Bearer {token}"}

    def order(ref: str) -> httpx.Response:
        body = {"order_ref": ref, "customer": "Ada", "lines": [{"sku": "KETTLE", "quantity": 1}]}
        return httpx.post(url, json=body, headers=headers, timeout=60)

    try:
        wait_for(lambda: answers(f"http://127.0.0.1:{port}/"), "the server's start")
        first = order("SO-1")
        [killed] = writer_pids(server.pid)

        os.kill(killed, signal.SIGKILL)
        wait_for(lambda: writer_pids(server.pid) not in ([], [killed]), "a new writer")
        reaped = is_gone(killed)
        later = [order(f"SO-{n}") for n in (2, 3)]
    finally:
        server.terminate()
        server.wait(timeout=30)

    assert first.status_code == 201, first.text
    assert reaped, "the killed writer was reaped, not left defunct"
    assert [answer.status_code for answer in later] == [201, 201]
    with bootstrap(Settings(database_url=sqlite_url), today=MONDAY).engine.connect() as conn:
        refs = conn.execute(select(t.sales_orders.c.order_ref).order_by(t.sales_orders.c.order_ref)).all()
    assert [r[0] for r in refs] == ["SO-1", "SO-2", "SO-3"]


def test_an_order_in_flight_when_the_writer_dies_is_a_503_to_send_again(db_url: str) -> None:
    from tests.e2e.test_api_support import open_api

    body = {"order_ref": "SO-1", "customer": "Ada", "lines": [{"sku": "KETTLE", "quantity": 1}]}
    for api in open_api(db_url, intake_process=True):
        make_items(api.pb, "KETTLE")
        intake: IntakeProcess = api.client.app.state.intake  # type: ignore[attr-defined]
        api.post("/orders", body | {"order_ref": "SO-0"})  # the token's use is recorded: no write waits
        writer = intake._process
        with item_rows_held(api.pb), ThreadPoolExecutor(1) as pool:
            sent = pool.submit(api.post, "/orders", body)
            wait_for(lambda: bool(intake._pending), "the order's arrival at the writer")  # noqa: B023
            os.kill(writer.pid, signal.SIGKILL)
            answer = sent.result(60)

        again = api.post("/orders", body)

        assert answer.status_code == 503, answer.text
        assert answer.json()["error"]["code"] == "unavailable" and answer.headers["Retry-After"] == "1"
        assert again.status_code in (200, 201)


def test_an_order_the_database_refuses_never_fails_the_orders_placed_with_it(pb: Pegboard) -> None:
    from pegboard.services.intake import OrderIntake

    make_items(pb, "KETTLE")
    intake = OrderIntake(pb.uow, pb.clock)

    good, bad = intake.place_now([(draft("SO-1"), None), (draft("SO-2", customer="A\x00da"), None)])

    assert good.result().created
    if pb.engine.dialect.name == "postgresql":  # SQLite keeps a NUL; PostgreSQL text cannot
        assert bad.exception() is not None
    with pb.engine.connect() as conn:
        refs = conn.execute(select(t.sales_orders.c.order_ref)).scalars().all()
    assert "SO-1" in refs
