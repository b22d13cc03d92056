"""A value that must be unique and is taken for real is a conflict at once, not a retry storm."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.responses import Response
from sqlalchemy import insert

from pegboard.adapters.db import tables as t
from pegboard.bootstrap import Pegboard
from pegboard.entrypoints.api.deps import Outcome, WriteDep
from pegboard.services.ports import UnitOfWork
from pegboard.services.runner import KeyTaken, with_retries
from tests.e2e.test_api_support import Api, assert_error, make_items, open_api, row_counts


@pytest.fixture
def api(db_url: str) -> Iterator[Api]:
    yield from open_api(db_url)


def insert_supplier(uow: UnitOfWork, name: str) -> None:
    """A use case that writes a supplier without asking first whether the name is free."""
    connection = uow.connection  # type: ignore[attr-defined]
    connection.execute(insert(t.suppliers).values(name=name))


def test_a_use_case_that_takes_a_used_key_is_run_twice_then_refused_as_a_duplicate(pb: Pegboard) -> None:
    make_items(pb, "KETTLE", supplier="Acme")
    calls = []

    def use_case() -> None:
        calls.append(1)
        with pb.uow() as uow:
            insert_supplier(uow, "Acme")
            uow.commit()

    with pytest.raises(KeyTaken) as raised:
        with_retries(use_case)

    assert len(calls) == 2
    assert raised.value.field == "name"
    assert "already used" in raised.value.message


def test_a_write_that_takes_a_used_key_is_a_409_at_once_and_writes_nothing(api: Api) -> None:
    make_items(api.pb, "KETTLE", supplier="Acme")
    calls = []

    def add_acme(write: WriteDep) -> Response:
        def work(uow: UnitOfWork) -> Outcome:
            calls.append(1)
            with uow:
                insert_supplier(uow, "Acme")
            return Outcome(201, {})

        return write.run(work)

    api.client.app.add_api_route("/api/v1/acme", add_acme, methods=["POST"])  # type: ignore[attr-defined]
    before = row_counts(api.pb)

    response = api.post("/acme", {}, key="k-acme")

    error = assert_error(response, 409, "duplicate_ref", field="name")
    assert "already used" in error["message"]
    assert len(calls) == 2
    assert row_counts(api.pb) == before
