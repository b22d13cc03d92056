"""Writes from the web: one use case and the record of who did it, in one transaction.

Services take no actor; the web runs a service in a `SharedTransaction` and adds a line to
`audit_log` (user name, action, document) before the single commit, so a change and the
record of who made it persist together or not at all.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from pegboard.bootstrap import Pegboard
from pegboard.entrypoints.api.transactions import SharedTransaction
from pegboard.services.runner import with_retries
from pegboard.services.users import User, record_action

T = TypeVar("T")


def perform(
    pb: Pegboard,
    user: User,
    action: str,
    ref: str,
    work: Callable[[SharedTransaction], T],
    *,
    detail: str = "",
) -> T:
    """Run `work` and record `user` did `action` to `ref`; a deadlock runs both again."""

    def attempt() -> T:
        tx = SharedTransaction(pb.uow())
        try:
            with tx:
                result = work(tx)
                record_action(user.name, action, ref, detail, uow=tx)
                tx.finish()
            return result
        finally:
            tx.close()

    return with_retries(attempt)
