"""What confirming suggestions created, as one sentence: refs when few, counts and ranges when many."""

from __future__ import annotations

from pegboard.views.created import created_words


def test_a_few_created_documents_are_listed_by_ref() -> None:
    assert created_words(["PO-7", "MO-3"]) == "PO-7, MO-3"


def test_nothing_created_says_nothing() -> None:
    assert created_words([]) == "nothing"


def test_thousands_of_created_documents_are_counted_per_kind_with_the_first_and_last_ref() -> None:
    refs = [f"PO-{k}" for k in range(1, 41)] + [f"MO-{k}" for k in range(1, 6192)]

    words = created_words(refs)

    assert words == "40 purchase orders (PO-1 to PO-40) and 6,191 manufacturing orders (MO-1 to MO-6191)"
    assert len(words) < 100


def test_a_single_document_of_a_kind_among_many_is_named() -> None:
    refs = ["PO-3"] + [f"MO-{k}" for k in range(1, 12)]

    assert created_words(refs) == "1 purchase order (PO-3) and 11 manufacturing orders (MO-1 to MO-11)"
