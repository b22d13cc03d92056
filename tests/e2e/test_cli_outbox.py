"""`pegboard notify` and `pegboard outbox`: one delivery pass, parked events, and retrying them."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import Table, func, select

from pegboard.adapters.db import tables as t
from pegboard.bootstrap import Pegboard
from pegboard.entrypoints import demo
from pegboard.entrypoints.cli import main
from pegboard.services.delivery import deliver_pending
from pegboard.services.ports import StoredEvent
from tests.conftest import MONDAY

Cli = Callable[..., tuple[int, str, str]]

TODAY = MONDAY.isoformat()


@pytest.fixture
def cli(db_url: str, capsys: pytest.CaptureFixture[str]) -> Cli:
    """Run the CLI in-process against the test database; returns (exit code, stdout, stderr)."""

    def run(*args: str) -> tuple[int, str, str]:
        code = main(["--db", db_url, "--today", TODAY, *args])
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    return run


@pytest.fixture
def board(pb: Pegboard) -> Pegboard:
    """The same database, wired in-process, to look at the outbox and to fail deliveries on purpose."""
    return pb


def workshop(cli: Cli, tmp_path: Path) -> None:
    """The lightsaber workshop's catalogue, stock and orders, imported through the CLI."""
    for kind, text in demo.CATALOGUE:
        path = tmp_path / f"{kind.value}.csv"
        path.write_text(text)
        assert cli("import", kind.value, str(path))[0] == 0
    orders = tmp_path / "orders.csv"
    orders.write_text(demo.orders_csv(date.fromisoformat(TODAY)))
    assert cli("import", "orders", str(orders))[0] == 0


class Down:
    """A channel whose server is down: every event it wants fails."""

    name = "email"

    def wants(self, event_type: str) -> bool:
        return event_type == "OrderPlaced"

    def deliver(self, events: Sequence[StoredEvent]) -> dict[str, str]:
        return {event.id: "connection refused" for event in events}


def fail_once(pb: Pegboard, *, max_attempts: int) -> None:
    """One pass in which every OrderPlaced fails (parked when `max_attempts` is 1)."""
    deliver_pending(
        [Down()], uow_factory=pb.uow, clock=pb.clock, max_attempts=max_attempts, backoff_seconds=30
    )


def count(pb: Pegboard, table: Table) -> int:
    with pb.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(table)).scalar_one())


def test_notify_delivers_every_due_event_and_new_orders_get_their_promises(
    cli: Cli, board: Pegboard, tmp_path: Path
) -> None:
    workshop(cli, tmp_path)
    events = count(board, t.outbox)

    code, out, _ = cli("notify", "--json")
    again = cli("notify")

    assert code == 0
    assert json.loads(out) == {"delivered": events, "failed": 0, "parked": 0, "waiting": 0}
    assert count(board, t.line_promises) > 0
    assert again[0] == 0 and "Delivered 0, failed 0 (retried later), parked 0." in again[1]
    assert json.loads(cli("outbox", "--all", "--json")[1]) == []


def test_outbox_lists_parked_events_and_retry_makes_them_due_again(
    cli: Cli, board: Pegboard, tmp_path: Path
) -> None:
    workshop(cli, tmp_path)
    fail_once(board, max_attempts=1)

    code, out, _ = cli("outbox", "--json")
    parked = json.loads(out)
    table = cli("outbox")
    first = parked[0]["id"]
    one = cli("outbox", "--retry", first, "--json")
    still_parked = [e["id"] for e in json.loads(cli("outbox", "--json")[1])]
    rest = cli("outbox", "--retry")
    delivered = json.loads(cli("notify", "--json")[1])

    assert code == 0
    assert sorted(e["order_ref"] for e in parked) == ["SO-1", "SO-2", "SO-3"]
    assert {(e["event_type"], e["status"], e["attempts"]) for e in parked} == {("OrderPlaced", "parked", 1)}
    assert all("email: connection refused" in e["last_error"] and e["parked_at"] for e in parked)
    assert table[0] == 0 and "parked events (3)" in table[1]
    assert one[0] == 0 and json.loads(one[1]) == {"retried": [first]}
    assert sorted(still_parked) == sorted(e["id"] for e in parked[1:])
    assert rest[0] == 0 and "2 parked event(s) due again" in rest[1]
    assert delivered["parked"] == 0 and delivered["delivered"] >= 3
    assert json.loads(cli("outbox", "--all", "--json")[1]) == []


def test_outbox_all_also_lists_events_still_being_retried(cli: Cli, board: Pegboard, tmp_path: Path) -> None:
    workshop(cli, tmp_path)
    fail_once(board, max_attempts=5)

    parked_only = json.loads(cli("outbox", "--json")[1])
    everything = json.loads(cli("outbox", "--all", "--json")[1])

    assert parked_only == []
    retrying = [e for e in everything if e["event_type"] == "OrderPlaced"]
    assert len(retrying) == 3
    assert all(e["status"] == "pending" and e["attempts"] == 1 and e["next_attempt_at"] for e in retrying)


def test_retrying_an_unknown_event_is_bad_input_and_an_unparked_one_is_refused(
    cli: Cli, board: Pegboard, tmp_path: Path
) -> None:
    workshop(cli, tmp_path)
    fail_once(board, max_attempts=5)
    pending = json.loads(cli("outbox", "--all", "--json")[1])[0]["id"]

    unknown = cli("outbox", "--retry", "no-such-event")
    not_parked = cli("outbox", "--retry", pending)
    without_retry = cli("outbox", pending)

    assert unknown[0] == 2 and "no-such-event" in unknown[2] and "Traceback" not in unknown[2]
    assert not_parked[0] == 1 and "not parked" in not_parked[2]
    assert without_retry[0] == 2 and "--retry" in without_retry[2]
