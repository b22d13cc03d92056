"""Status-page links: each opens its own order only, and a revoked link opens nothing."""

from __future__ import annotations

import pytest

from pegboard.bootstrap import Pegboard
from pegboard.domain.errors import UnknownOrder
from pegboard.services.status_links import issue_status_link, order_ref_for_link, revoke_status_links
from tests.builders import make_items, make_order


def issue(pb: Pegboard, order_ref: str) -> str:
    with pb.uow() as uow:
        token = issue_status_link(order_ref, uow=uow)
        uow.commit()
    return token


def opens(pb: Pegboard, token: str) -> str | None:
    with pb.reader() as uow:
        return order_ref_for_link(token, uow=uow)


def test_a_link_opens_its_own_order_and_no_other(pb: Pegboard) -> None:
    make_items(pb, "KETTLE")
    make_order(pb, "SO-1", ("KETTLE", 1))
    make_order(pb, "SO-2", ("KETTLE", 1))

    first, second = issue(pb, "SO-1"), issue(pb, "SO-2")

    assert len(first) >= 43 and first != second
    assert opens(pb, first) == "SO-1"
    assert opens(pb, second) == "SO-2"
    assert opens(pb, first[:-1] + ("A" if first[-1] != "A" else "B")) is None
    assert opens(pb, "short") is None


def test_revoking_closes_every_link_of_the_order_only(pb: Pegboard) -> None:
    make_items(pb, "KETTLE")
    make_order(pb, "SO-1", ("KETTLE", 1))
    make_order(pb, "SO-2", ("KETTLE", 1))
    old, other = issue(pb, "SO-1"), issue(pb, "SO-2")
    also_old = issue(pb, "SO-1")

    with pb.uow() as uow:
        assert revoke_status_links("SO-1", uow=uow) == 2
        uow.commit()

    assert opens(pb, old) is None and opens(pb, also_old) is None
    assert opens(pb, other) == "SO-2"
    assert opens(pb, issue(pb, "SO-1")) == "SO-1"


def test_a_link_for_an_unknown_order_is_refused(pb: Pegboard) -> None:
    with pytest.raises(UnknownOrder), pb.uow() as uow:
        issue_status_link("SO-404", uow=uow)


def test_revoking_the_links_of_an_unknown_order_is_refused(pb: Pegboard) -> None:
    with pytest.raises(UnknownOrder), pb.uow() as uow:
        revoke_status_links("SO-404", uow=uow)
