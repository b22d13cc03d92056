"""The token cache: trusted tokens answered from memory, uses written at most once a period."""

from __future__ import annotations

from types import TracebackType

import pytest

from pegboard.domain.errors import Forbidden, Unauthorised
from pegboard.services.tokens import Role, TokenCache, hash_token


class Tokens:
    """The token store: hashes of live tokens, and how often a role was looked up."""

    def __init__(self, live: dict[str, tuple[str, str]]) -> None:
        self.live, self.lookups = live, 0

    def role_of(self, token_hash: str) -> tuple[str, str] | None:
        self.lookups += 1
        return self.live.get(token_hash)


class TokensOnly:
    """A unit of work with a token store and nothing else."""

    def __init__(self, tokens: Tokens) -> None:
        self.tokens = tokens

    def __enter__(self) -> TokensOnly:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None
    ) -> None:
        return None


def _store() -> Tokens:
    return Tokens({hash_token("pgb_ops"): ("ops", "operator")})


def test_a_token_checked_once_is_answered_from_memory_and_its_use_written_once() -> None:
    tokens = _store()
    written: list[str] = []
    cache = TokenCache(60)

    for _ in range(3):
        found = cache.authorise("pgb_ops", Role.VIEWER, uow=TokensOnly(tokens), record=written.append)  # type: ignore[arg-type]

    assert found == ("ops", Role.OPERATOR)
    assert tokens.lookups == 1
    assert written == ["ops"]
    assert cache.recall("pgb_ops", Role.OPERATOR) == ("ops", Role.OPERATOR)


def test_a_forgotten_token_is_checked_against_the_store_again() -> None:
    tokens = _store()
    written: list[str] = []
    cache = TokenCache(60)
    cache.authorise("pgb_ops", Role.VIEWER, uow=TokensOnly(tokens), record=written.append)  # type: ignore[arg-type]

    cache.forget("ops")

    assert cache.recall("pgb_ops", Role.VIEWER) is None
    tokens.live.clear()
    with pytest.raises(Unauthorised):
        cache.authorise("pgb_ops", Role.VIEWER, uow=TokensOnly(tokens), record=written.append)  # type: ignore[arg-type]


def test_a_remembered_token_still_needs_the_role_asked_for() -> None:
    cache = TokenCache(60)
    cache.authorise("pgb_ops", Role.VIEWER, uow=TokensOnly(_store()), record=lambda _: None)  # type: ignore[arg-type]

    with pytest.raises(Forbidden):
        cache.recall("pgb_ops", Role.ADMIN)


def test_without_a_period_every_use_asks_the_store_and_is_written() -> None:
    tokens = _store()
    written: list[str] = []
    cache = TokenCache(0, record_every=0)

    for _ in range(2):
        cache.authorise("pgb_ops", Role.VIEWER, uow=TokensOnly(tokens), record=written.append)  # type: ignore[arg-type]

    assert tokens.lookups == 2
    assert written == ["ops", "ops"]
    assert cache.recall("pgb_ops", Role.VIEWER) is None


def test_an_unknown_token_is_never_remembered() -> None:
    tokens = _store()
    cache = TokenCache(60)

    for _ in range(2):
        with pytest.raises(Unauthorised):
            cache.authorise("pgb_nobody", Role.VIEWER, uow=TokensOnly(tokens), record=lambda _: None)  # type: ignore[arg-type]

    assert tokens.lookups == 2
