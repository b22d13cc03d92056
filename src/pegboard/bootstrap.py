"""Composition root: settings -> engine -> units of work, clock and policy."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from sqlalchemy import Engine

from pegboard.adapters.clock import FixedClock, SystemClock
from pegboard.adapters.db.engine import make_engine
from pegboard.adapters.db.migrate import current_revision, head_revision, is_current, known_revisions, upgrade
from pegboard.adapters.db.uow import SqlUnitOfWork
from pegboard.config import Settings
from pegboard.domain.allocation import AllocationPolicy
from pegboard.services.ports import Channel, Clock

if TYPE_CHECKING:
    from pegboard.services.quoting import LeftoverCache


class DatabaseNotReady(Exception):
    """The database is missing or its schema is not the one this Pegboard needs."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass
class Pegboard:
    """Everything a use case needs, wired once per process."""

    settings: Settings
    engine: Engine
    clock: Clock

    @cached_property
    def leftovers(self) -> LeftoverCache:
        """The plan's leftover kept for quotes in this process, made at its first quote.

        Imported here: only quotes need it, and `services.quoting` brings order taking with it,
        which a CLI command such as `plan` would otherwise import for nothing. Two threads
        quoting first at once may each make one: one is kept, the other was a cache only."""
        from pegboard.services.quoting import LeftoverCache

        return LeftoverCache()

    @property
    def policy(self) -> AllocationPolicy:
        return self.settings.allocation_policy

    def uow(self) -> SqlUnitOfWork:
        """A unit of work for one write transaction."""
        seconds, method = self.settings.complete_first_seconds, self.settings.cost_method
        return SqlUnitOfWork(
            self.engine,
            self.clock,
            complete_first_seconds=seconds,
            cost_method=method,
            promise_confidence=self.promise_confidence,
            allocation_policy=self.policy,
        )

    def reader(self) -> SqlUnitOfWork:
        """A unit of work for reading only."""
        seconds, method = self.settings.complete_first_seconds, self.settings.cost_method
        return SqlUnitOfWork(
            self.engine,
            self.clock,
            readonly=True,
            complete_first_seconds=seconds,
            cost_method=method,
            promise_confidence=self.promise_confidence,
            allocation_policy=self.policy,
        )

    @property
    def promise_confidence(self) -> float | None:
        """The confidence promises are dated at from suppliers' history (None: stated dates)."""
        return self.settings.promise_confidence if self.settings.reliability_dates else None

    def migrate(self) -> None:
        """Create or upgrade the schema."""
        upgrade(self.settings.database_url)

    @property
    def where(self) -> str:
        """The database URL, without its password."""
        return self.engine.url.render_as_string(hide_password=True)

    def exists(self) -> bool:
        """False only for a SQLite file that is not there (connecting would create it)."""
        path = self.engine.url.database
        if self.engine.dialect.name != "sqlite" or not path or path == ":memory:":
            return True
        return Path(path).is_file()

    def require_current(self) -> None:
        """Refuse a missing database, or one not at the newest migration, without writing anything."""
        init = "run `pegboard init` to create it"
        if not self.exists():
            raise DatabaseNotReady(f"there is no Pegboard database at {self.where}; {init}")
        current, head = current_revision(self.engine), head_revision()
        if current == head:
            return
        if current is None:
            raise DatabaseNotReady(f"the database at {self.where} holds no Pegboard data yet; {init}")
        if current not in known_revisions():
            raise DatabaseNotReady(
                f"the database at {self.where} is at schema {current}, which this Pegboard does not know "
                "(it was migrated by a newer version); upgrade Pegboard"
            )
        raise DatabaseNotReady(
            f"the database at {self.where} is at schema {current}, this Pegboard needs {head}; "
            "run `pegboard init` to migrate it (take a backup first)"
        )

    def create_if_missing(self) -> None:
        """Create the schema where there is none yet; an existing database must already be current."""
        if not self.exists() or current_revision(self.engine) is None:
            self.migrate()
        self.require_current()

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

    def channels(self) -> list[Channel]:
        """The outbox's delivery channels, in the order each event visits them: re-promising first
        (an email may quote the promise), then customer email, the shop and the shop's refunds, when
        they are set up."""
        from pegboard.adapters.notify.email import EmailChannel
        from pegboard.adapters.shopify.admin import AdminClient
        from pegboard.adapters.shopify.channel import ShopifyChannel
        from pegboard.adapters.shopify.refunds import ShopifyRefundChannel
        from pegboard.services.promising import PromisesChannel

        channels: list[Channel] = [PromisesChannel(uow_factory=self.uow, clock=self.clock)]
        settings = self.settings
        if settings.smtp_host:
            channels.append(EmailChannel(settings, uow_factory=self.uow, clock=self.clock))
        if settings.shopify_shop_url and settings.shopify_access_token:
            client = AdminClient(
                settings.shopify_shop_url,
                settings.shopify_access_token,
                api_version=settings.shopify_api_version,
            )
            channels.append(ShopifyChannel(client, uow_factory=self.reader))
            refunds = ShopifyRefundChannel(
                client, uow_factory=self.uow, clock=self.clock, currency=settings.currency
            )
            channels.append(refunds)
        return channels

    def close(self) -> None:
        self.engine.dispose()


def bootstrap(settings: Settings, *, today: date | None = None) -> Pegboard:
    """Wire the engine and clock; `today` fixes the business date (for reproducible runs)."""
    zone = ZoneInfo(settings.timezone) if settings.timezone else None
    clock: Clock = FixedClock(today, zone) if today else SystemClock(zone)
    engine = make_engine(settings.database_url, pool_size=settings.db_pool_size)
    return Pegboard(settings=settings, engine=engine, clock=clock)
