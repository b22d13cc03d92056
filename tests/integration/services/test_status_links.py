"""Status-page links: each opens its own order only, and a revoked link opens nothing."""

from __future__ import annotations

import pytest

from pegboard.bootstrap import Pegboard
from pegboard.domain.errors import UnknownOrder
from pegboard.services.status_links import issue_link, order_ref_for_link, revoke_links
from pegboard.services.transactions import SharedTransaction
from tests.builders import make_items, make_order


def issue(pb: Pegboard, order_ref: str) -> str:
    return issue_link(order_ref, uow=pb.uow())


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

    assert revoke_links("SO-1", uow=pb.uow()) == 2

    assert opens(pb, old) is None and opens(pb, also_old) is None
    assert opens(pb, other) == "SO-2"
    assert opens(pb, issue(pb, "SO-1")) == "SO-1"


def test_a_link_for_an_unknown_order_is_refused(pb: Pegboard) -> None:
    with pytest.raises(UnknownOrder):
        issue_link("SO-404", uow=pb.uow())


def test_revoking_the_links_of_an_unknown_order_is_refused(pb: Pegboard) -> None:
    with pytest.raises(UnknownOrder):
        revoke_links("SO-404", uow=pb.uow())


def test_a_link_issued_inside_a_callers_transaction_commits_or_rolls_back_with_it(pb: Pegboard) -> None:
    make_items(pb, "KETTLE")
    make_order(pb, "SO-1", ("KETTLE", 1))

    with pb.uow() as uow:
        kept = issue_link("SO-1", uow=SharedTransaction.joining(uow))
        assert order_ref_for_link(kept, uow=uow) == "SO-1"  # the joined `with` left it open
        uow.commit()
    with pytest.raises(RuntimeError), pb.uow() as uow:
        dropped = issue_link("SO-1", uow=SharedTransaction.joining(uow))
        raise RuntimeError("the caller fails after the link was issued")

    assert opens(pb, kept) == "SO-1"
    assert opens(pb, dropped) is None
