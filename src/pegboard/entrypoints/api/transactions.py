"""The API's and the web's transactions: `SharedTransaction` (services/transactions.py) over the
SQL unit of work, which also lends its connection to the read views.

One transaction per request: the use case, the idempotency record and the commit together.
"""

from __future__ import annotations

from typing import Protocol

from sqlalchemy import Connection

from pegboard.services import transactions
from pegboard.services.learning import LearningRepository
from pegboard.services.order_terms import OrderTermsRepository
from pegboard.services.ports import UnitOfWork
from pegboard.services.users import UserRepository
from pegboard.services.whatif import ScenarioFacts


class SqlWork(UnitOfWork, Protocol):
    """A unit of work that also lends its connection to the read views."""

    @property
    def users(self) -> UserRepository: ...

    @property
    def order_terms(self) -> OrderTermsRepository: ...

    @property
    def learning(self) -> LearningRepository: ...

    @property
    def scenarios(self) -> ScenarioFacts: ...

    @property
    def connection(self) -> Connection: ...


class SharedTransaction(transactions.SharedTransaction):
    """The services' shared transaction over the SQL unit of work, with what only it has."""

    def __init__(self, inner: SqlWork) -> None:
        super().__init__(inner)
        self._sql = inner

    @property
    def connection(self) -> Connection:
        """The open transaction's connection, for the read views."""
        return self._sql.connection

    @property
    def users(self) -> UserRepository:
        """People who sign in, their sessions and who did what, in the shared transaction."""
        return self._sql.users

    @property
    def order_terms(self) -> OrderTermsRepository:
        """Orders' priorities and ship policies, in the shared transaction."""
        return self._sql.order_terms

    @property
    def learning(self) -> LearningRepository:
        """The history learned from and where applied reorder points go, in the shared transaction."""
        return self._sql.learning

    @property
    def scenarios(self) -> ScenarioFacts:
        """What a what-if reads beyond the snapshot, in the shared transaction."""
        return self._sql.scenarios

    def __enter__(self) -> SharedTransaction:
        super().__enter__()
        return self
