"""Settings from PEGBOARD_* environment variables, built once at start-up and passed down."""

from __future__ import annotations

from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from pegboard.domain.allocation import AllocationPolicy
from pegboard.domain.books import account_names as chart_of_accounts
from pegboard.domain.valuation import CostMethod

DEFAULT_DATABASE_URL = "sqlite:///pegboard.db"


class Settings(BaseSettings):
    """Where the data lives, how stock is handed out, and where the server listens."""

    model_config = SettingsConfigDict(env_prefix="PEGBOARD_", extra="ignore")

    database_url: str = DEFAULT_DATABASE_URL
    allocation_policy: AllocationPolicy = AllocationPolicy.FIFO
    #: How long complete-first searches for the best set of orders to make whole, while the
    #: items' locks are held; past it, the best set found is used and its allocations say so.
    complete_first_seconds: float = Field(default=2.0, ge=0)
    #: The shop's time zone (an IANA name such as Europe/Berlin): it decides which day "today" is
    #: for orders, backorders, promises and emails. None: the machine's zone.
    timezone: str | None = None
    #: Let `pegboard serve` migrate an out-of-date database at start; otherwise only `pegboard init` does.
    auto_migrate: bool = False
    host: str = "127.0.0.1"
    port: int = 8000
    db_pool_size: int = 10
    max_request_bytes: int = 1_000_000
    #: FastAPI's built-in OpenTelemetry spans, metrics and logs. Off by default: asking whether a
    #: provider is configured costs about a tenth of a webhook's server time (BENCHMARKS.md).
    telemetry: bool = False
    #: Place orders in a writer process of its own (`entrypoints/intake_process.py`), so HTTP and
    #: the database writes each get a core; false keeps the writer a thread of the server.
    intake_process: bool = True
    #: How long the API trusts a token it has just checked (a revocation takes this long to bite).
    token_cache_seconds: float = 2.0
    #: The share of replenishment cycles computed reorder points aim to get through without a
    #: stockout (`pegboard reorder-points`); an item may carry its own.
    service_level: float = Field(default=0.95, gt=0, lt=1)
    #: The share of a supplier's deliveries a promise resting on its PO or lead time must cover:
    #: with enough history the date moves by the supplier's lateness at this quantile
    #: (`planning/reliable.py`).
    promise_confidence: float = Field(default=0.90, gt=0, lt=1)
    #: Off: promises use the stated PO dates and lead times as they are, whatever the history says.
    reliability_dates: bool = True

    # -- web app ---------------------------------------------------------------------------------
    #: The folder holding the front-end packages (htmx, Chart.js, Sortable) installed by npm; by
    #: default the `node_modules` of the working directory or of the source checkout.
    assets_dir: str | None = None
    #: Failed sign-ins allowed per user name, and per client address, within the window.
    login_failures_per_name: int = 5
    login_failures_per_address: int = 50
    login_window_seconds: float = 900.0
    #: `pegboard serve` loads the forecasting models in the background at start (about 1.6 s of
    #: CPU), so the first item forecast does not wait for them; off, that forecast loads them.
    forecast_preload: bool = True

    # -- public product-page availability (GET /public/availability/{sku}) ---------------------
    #: Off: every SKU answers 404. On: items with a sale price answer; materials never do.
    public_availability: bool = True
    #: Also give the free stock count (`available`); by default no stock figure is shown.
    public_stock_counts: bool = False
    #: Answers per client address per minute; the next one is a 429 with Retry-After.
    public_requests_per_minute: int = Field(default=60, ge=1)
    #: How long browsers and shared caches may keep an answer (Cache-Control max-age).
    public_cache_seconds: int = Field(default=60, ge=0)

    # -- customer email (SMTP) -------------------------------------------------------------------
    #: No host means no customer email: events are delivered to the other channels only.
    smtp_host: str | None = None
    smtp_port: int = 25
    smtp_from: str = "orders@localhost"
    smtp_user: str | None = None
    smtp_password: str | None = None
    smtp_starttls: bool = False
    smtp_timeout_seconds: float = 10.0
    shop_name: str = "Pegboard Workshop"
    reply_to: str | None = None
    #: The address customers reach the server at; status-page links in emails start with it.
    public_url: str = "http://127.0.0.1:8000"

    # -- outbox delivery -------------------------------------------------------------------------
    #: After this many failed attempts an event is parked until `pegboard outbox --retry`.
    outbox_max_attempts: int = 8
    #: The first retry waits this long; each further one twice as long (capped at an hour).
    outbox_backoff_seconds: float = 30.0
    #: How often `pegboard serve` looks for events to deliver in the background (0: never).
    notify_interval_seconds: float = 2.0

    # -- Shopify ---------------------------------------------------------------------------------
    #: The app's shared secret: webhooks are verified with HMAC-SHA256 of the raw body.
    shopify_secret: str | None = None
    #: The Admin API base, e.g. https://my-shop.myshopify.com (fulfilments go there).
    shopify_shop_url: str | None = None
    shopify_access_token: str | None = None
    shopify_api_version: str = "2025-01"

    # -- books -----------------------------------------------------------------------------------
    #: The shop's one currency: every amount in the journal is in it.
    currency: str = "EUR"
    #: Accounts renamed by code, e.g. PEGBOARD_ACCOUNT_NAMES='{"1000": "Bank"}' (domain/books/journal.py).
    account_names: dict[str, str] = {}
    #: How goods going out are valued: `average` (moving average) or `fifo` (domain/valuation.py).
    cost_method: CostMethod = CostMethod.AVERAGE

    @field_validator("account_names")
    @classmethod
    def _known_accounts(cls, names: dict[str, str]) -> dict[str, str]:
        """Only the chart's own codes may be renamed, each to a name that is not blank."""
        known = chart_of_accounts()
        for code, name in names.items():
            if code not in known:
                raise ValueError(f"{code!r} is not an account code ({', '.join(known)})")
            if not name.strip():
                raise ValueError(f"account {code} is given a blank name")
        return {code: name.strip() for code, name in names.items()}

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, name: str | None) -> str | None:
        """A zone must be one the IANA database knows; an empty value means the machine's zone."""
        if not name:
            return None
        try:
            ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(
                f"{name!r} is not a known time zone (an IANA name such as Europe/Berlin)"
            ) from None
        return name
