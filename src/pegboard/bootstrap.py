"""Composition root: settings -> engine -> units of work, clock and policy."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import Engine

from pegboard.adapters.clock import FixedClock, SystemClock
from pegboard.adapters.db.engine import make_engine
from pegboard.adapters.db.migrate import is_current, upgrade
from pegboard.adapters.db.uow import SqlUnitOfWork
from pegboard.config import Settings
from pegboard.domain.allocation import AllocationPolicy
from pegboard.services.ports import Clock


@dataclass
class Pegboard:
    """Everything a use case needs, wired once per process."""

    settings: Settings
    engine: Engine
    clock: Clock

    @property
    def policy(self) -> AllocationPolicy:
        return self.settings.allocation_policy

    def uow(self) -> SqlUnitOfWork:
        """A unit of work for one write transaction."""
        return SqlUnitOfWork(self.engine, self.clock)

    def reader(self) -> SqlUnitOfWork:
        """A unit of work for reading only."""
        return SqlUnitOfWork(self.engine, self.clock, readonly=True)

    def migrate(self) -> None:
        """Create or upgrade the schema."""
        upgrade(self.settings.database_url)

    def migrate_if_needed(self) -> None:
        """Upgrade the schema only when it is not at the newest migration (a cheap check)."""
        if not is_current(self.engine):
            self.migrate()

    def send_test_email(self, address: str) -> str | None:
        """Send a test message to `address` through the SMTP settings; None when the server took it,
        else why not."""
        from pegboard.adapters.notify.email import MailNotSent, send_test_message

        try:
            send_test_message(self.settings, address)
        except MailNotSent as error:
            return str(error)
        return None

    def close(self) -> None:
        self.engine.dispose()


def bootstrap(settings: Settings, *, today: date | None = None) -> Pegboard:
    """Wire the engine and clock; `today` fixes the business date (for reproducible runs)."""
    clock: Clock = FixedClock(today) if today else SystemClock()
    engine = make_engine(settings.database_url, pool_size=settings.db_pool_size)
    return Pegboard(settings=settings, engine=engine, clock=clock)
