"""complete-first: the most orders made whole; ties to the oldest order, then the next oldest."""

from __future__ import annotations

import itertools
import random
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from pegboard.planning.allocation import WholeOrderCandidate, choose_whole_orders

SKUS = ("KETTLE", "MUG", "LID")


def kettles(*needs: int) -> list[WholeOrderCandidate]:
    """One order per need, oldest first: SO-1 needs needs[0] kettles, and so on."""
    return [WholeOrderCandidate(f"SO-{i + 1}", i, {"KETTLE": Decimal(q)}) for i, q in enumerate(needs)]


def brute_force(
    candidates: list[WholeOrderCandidate], available: dict[str, Decimal]
) -> tuple[list[str], ...]:
    """Every set that fits, the largest first; among those as large, by their orders' ages in turn."""
    fitting: list[tuple[int, tuple[int, ...], list[str]]] = []
    for size in range(len(candidates) + 1):
        for subset in itertools.combinations(candidates, size):
            used = {s: sum((c.needs.get(s, Decimal(0)) for c in subset), Decimal(0)) for s in SKUS}
            if all(used[s] <= available.get(s, Decimal(0)) for s in SKUS):
                ages = tuple(sorted(c.rank for c in subset))
                fitting.append((size, ages, [c.order_ref for c in sorted(subset, key=lambda c: c.rank)]))
    most = max(size for size, _, _ in fitting)
    # Among the largest sets, the one whose oldest order is older wins, then the next oldest...
    oldest_first = min(ages for size, ages, _ in fitting if size == most)
    return tuple(refs for size, ages, refs in fitting if size == most and ages == oldest_first)


def test_with_four_units_and_needs_3_2_2_9_1_the_first_and_the_last_order_are_made_whole() -> None:
    chosen = choose_whole_orders(kettles(3, 2, 2, 9, 1), {"KETTLE": Decimal(4)})

    assert chosen.order_refs == ["SO-1", "SO-5"]
    assert chosen.proven and chosen.note == ""


def test_more_orders_made_whole_beat_an_older_order() -> None:
    chosen = choose_whole_orders(kettles(3, 1, 1, 1, 2), {"KETTLE": Decimal(4)})

    assert chosen.order_refs == ["SO-2", "SO-3", "SO-4"]


def test_ties_among_a_hundred_orders_are_decided_by_age_exactly() -> None:
    """Weights of 2**age in one sum would lose the last orders' ages in a float's 53 bits."""
    candidates = [WholeOrderCandidate(f"SO-{i + 1}", i, {"MUG": Decimal(1)}) for i in range(96)]
    candidates += [
        WholeOrderCandidate("SO-97", 96, {"KETTLE": Decimal(1), "LID": Decimal(1)}),
        WholeOrderCandidate("SO-98", 97, {"KETTLE": Decimal(1)}),
        WholeOrderCandidate("SO-99", 98, {"LID": Decimal(1)}),
        WholeOrderCandidate("SO-100", 99, {"KETTLE": Decimal(1)}),
    ]
    available = {"MUG": Decimal(96), "KETTLE": Decimal(1), "LID": Decimal(1)}

    chosen = choose_whole_orders(candidates, available)

    assert chosen.order_refs == [f"SO-{i + 1}" for i in range(96)] + ["SO-98", "SO-99"]
    assert chosen.proven


def test_when_the_time_is_up_the_best_set_found_is_used_and_said_to_be_unproven() -> None:
    candidates = kettles(3, 1, 1, 1, 2)

    chosen = choose_whole_orders(candidates, {"KETTLE": Decimal(4)}, seconds=0)

    assert not chosen.proven
    assert chosen.note == "best set found in the 0 s limit, not proven the best"
    needs = {c.order_ref: c.needs["KETTLE"] for c in candidates}
    assert chosen.order_refs and sum(needs[r] for r in chosen.order_refs) <= 4


quantities = st.sampled_from([Decimal(0), Decimal("0.5"), Decimal(1), Decimal(2), Decimal(3), Decimal(4)])
orders = st.lists(
    st.fixed_dictionaries(dict.fromkeys(SKUS, quantities)).filter(lambda needs: any(needs.values())),
    min_size=1,
    max_size=8,
)
stock = st.fixed_dictionaries({s: st.sampled_from([Decimal(n) / 2 for n in range(0, 21)]) for s in SKUS})


@settings(max_examples=150, deadline=None)
@given(orders=orders, available=stock, order=st.randoms(use_true_random=False))
def test_the_chosen_set_is_the_one_brute_force_finds(
    orders: list[dict[str, Decimal]], available: dict[str, Decimal], order: random.Random
) -> None:
    candidates = [
        WholeOrderCandidate(f"SO-{i + 1}", i, {s: q for s, q in needs.items() if q})
        for i, needs in enumerate(orders)
    ]
    shuffled = list(candidates)
    order.shuffle(shuffled)

    chosen = choose_whole_orders(shuffled, available)

    assert chosen.proven
    assert brute_force(candidates, available) == (chosen.order_refs,)
