"""The outbox's event ids: unique UUIDs that grow with time, so new events land at the key index's end."""

from __future__ import annotations

import time
import uuid

from pegboard.adapters.db.repositories.outbox import event_id, event_ids


def test_event_ids_are_distinct_version_7_uuids_in_their_canonical_text() -> None:
    ids = [event_id() for _ in range(1000)]

    assert len(set(ids)) == len(ids)
    assert all(str(uuid.UUID(i)) == i and uuid.UUID(i).version == 7 for i in ids)


def test_an_event_id_made_later_sorts_after_one_made_earlier() -> None:
    earlier = event_id()
    time.sleep(0.002)

    later = event_id()

    assert earlier < later


def test_event_ids_made_together_are_distinct_version_7_uuids_of_this_time() -> None:
    before = event_id()

    ids = event_ids(5000)

    assert len(set(ids)) == len(ids)
    assert all(str(uuid.UUID(i)) == i and uuid.UUID(i).version == 7 for i in ids)
    assert all(i[:13] >= before[:13] for i in ids)
    assert all(i[:13] <= event_id()[:13] for i in ids)
