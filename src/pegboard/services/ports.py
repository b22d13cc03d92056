"""What the services need from the outside world, as Protocols the adapters implement."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from types import TracebackType
from typing import Any, Protocol

from pegboard.domain.allocation import AllocationPolicy, ItemStock, WaitingLine
from pegboard.domain.books import JournalEntry, OrderCharges
from pegboard.domain.events import PromiseChanged
from pegboard.domain.items import BillsOfMaterials, BomLine, Item, SaleTerms, Supplier
from pegboard.domain.ledger import StockMove
from pegboard.domain.notices import CustomerMessage, OrderState
from pegboard.domain.options import ItemOptions, OptionRow
from pegboard.domain.sales import SalesOrder, SalesOrderLine, Shipment
from pegboard.domain.supply import ManufacturingOrder, PurchaseOrder
from pegboard.domain.valuation import CostMethod, Holding, ValuedMove
from pegboard.planning.promises import LinePromise, StoredPromise
from pegboard.planning.result import FeasibleDates, PlanResult
from pegboard.planning.snapshot import BackorderDemand, PlanInput


class TransientConflict(Exception):
    """The database gave up on a transaction (deadlock, serialization); running it again helps."""


class UniqueClash(TransientConflict):
    """A unique key was taken: by a concurrent twin (running again finds it) or for real."""

    def __init__(self, message: str, *, field: str | None = None, value: str | None = None) -> None:
        super().__init__(message)
        self.field, self.value = field, value


class Clock(Protocol):
    """The business day and the moment; services never read the system clock (tests fix it)."""

    def today(self) -> date: ...

    def now(self) -> datetime: ...


class Catalogue(Protocol):
    """Suppliers by name, items by SKU, bills of materials; `replace_bom` replaces a parent's lines."""

    def supplier(self, name: str) -> Supplier | None: ...

    def save_supplier(self, supplier: Supplier) -> None: ...

    def suppliers(self) -> list[Supplier]: ...

    def item(self, sku: str) -> Item | None: ...

    def items(self, skus: Iterable[str] | None = None) -> dict[str, Item]: ...

    def sale_terms(self, skus: Iterable[str]) -> dict[str, SaleTerms]: ...

    def save_item(self, item: Item) -> None: ...

    def boms(self) -> BillsOfMaterials: ...

    def replace_bom(self, parent_sku: str, lines: Sequence[BomLine]) -> None: ...

    def options(self, skus: Iterable[str] | None = None) -> dict[str, ItemOptions]: ...

    def replace_options(self, parent_sku: str, rows: Sequence[OptionRow]) -> None: ...


class StockRepository(Protocol):
    """Stock per SKU: on hand changes only by ledger moves; `lock` takes the items' rows first."""

    def lock(self, skus: Iterable[str]) -> dict[str, ItemStock]: ...

    def levels(self, skus: Iterable[str], *, lock: bool = False) -> dict[str, ItemStock]: ...

    def add_move(self, move: StockMove) -> None: ...

    def moves(self, sku: str, *, limit: int = 50) -> list[StockMove]: ...


class OrderRepository(Protocol):
    """Sales orders by ref, loaded with their lines and saved back as the domain changed them."""

    def get(self, order_ref: str, *, lock: bool = False) -> SalesOrder | None: ...

    def get_many(self, order_refs: Iterable[str]) -> dict[str, SalesOrder]: ...

    def add(self, order: SalesOrder) -> None: ...

    def add_many(self, orders: Sequence[SalesOrder]) -> None: ...

    def save(self, order: SalesOrder) -> None: ...

    def waiting(self, skus: Iterable[str], *, options: str = "") -> list[WaitingLine]: ...

    def holding(self, sku: str) -> list[WaitingLine]: ...

    def released_preorder_skus(self, today: date) -> list[str]: ...

    def shipment_count(self, order_ref: str) -> int: ...

    def add_shipment(self, shipment: Shipment) -> None: ...


class SupplyRepository(Protocol):
    """Purchase and manufacturing orders by ref; each expected-date change is kept as history."""

    def purchase_order(self, po_ref: str, *, lock: bool = False) -> PurchaseOrder | None: ...

    def add_purchase_order(self, po: PurchaseOrder) -> None: ...

    def save_purchase_order(self, po: PurchaseOrder) -> None: ...

    def dropship_orders(self, order_ref: str, *, lock: bool = False) -> list[PurchaseOrder]: ...

    def manufacturing_order(self, mo_ref: str, *, lock: bool = False) -> ManufacturingOrder | None: ...

    def add_manufacturing_order(self, mo: ManufacturingOrder) -> None: ...

    def save_manufacturing_order(self, mo: ManufacturingOrder) -> None: ...

    def next_ref(self, prefix: str) -> str: ...

    def record_date_change(
        self, supply_ref: str, *, kind: str, old_date: date | None, new_date: date, on: date
    ) -> None: ...


class Outbox(Protocol):
    """Events appended in the transaction of the change they tell of, in order; delivered after commit.

    Aggregates record their own events (`RecordsEvents`) and the unit of work writes them at
    commit. Promise changes are the one kind no aggregate records: re-promising compares the
    plan's dates with the stored promises and never loads the orders (a receipt can move a
    thousand lines' promises), so `services.planning.save_promises` notes them here.
    """

    def record_promise_changes(self, changes: Sequence[PromiseChanged]) -> None:
        """Note the line promises that moved; they are written at commit with the aggregates' events."""
        ...


@dataclass(frozen=True)
class StoredEvent:
    """An event as the outbox holds it, on its way to the channels that deliver it."""

    id: str
    event_type: str
    payload: dict[str, Any]
    created_at: datetime
    attempts: int
    order_ref: str | None


class Channel(Protocol):
    """Somewhere events go after commit (customer email, the shop, re-promising).

    `deliver` gets the due events the channel wants, oldest first, and returns the ids that
    failed with the reason; every other event counts as delivered to this channel and is
    never given to it again. Delivery is at least once: a channel must tolerate a repeat
    after a crash between its work and the record of it.
    """

    name: str

    def wants(self, event_type: str) -> bool: ...

    def deliver(self, events: Sequence[StoredEvent]) -> dict[str, str]: ...


@dataclass(frozen=True)
class DeliveryFailure:
    """A failed attempt: the event's attempt count now, why, and when it is tried again."""

    event_id: str
    attempts: int
    error: str
    #: None when the event is parked (it waits for `pegboard outbox --retry`).
    next_attempt_at: datetime | None


@dataclass(frozen=True)
class OutboxEntry:
    """An outbox event with its delivery state, as `pegboard outbox` lists it."""

    id: str
    event_type: str
    order_ref: str | None
    created_at: datetime
    attempts: int
    last_error: str | None
    next_attempt_at: datetime | None
    parked_at: datetime | None
    delivered_at: datetime | None

    @property
    def status(self) -> str:
        """delivered, parked or pending."""
        if self.delivered_at is not None:
            return "delivered"
        return "parked" if self.parked_at is not None else "pending"


class DeliveryRepository(Protocol):
    """The outbox seen by its deliverer: claims, per-channel records, retries and parking."""

    def due_count(self, now: datetime) -> int: ...

    def claim(self, *, now: datetime, until: datetime, limit: int) -> list[StoredEvent]: ...

    def taken(self, event_ids: Iterable[str]) -> dict[str, set[str]]: ...

    def record_taken(self, taken: Iterable[tuple[str, str]], *, now: datetime) -> None: ...

    def mark_delivered(self, event_ids: Iterable[str], *, now: datetime) -> None: ...

    def mark_failed(self, failures: Sequence[DeliveryFailure], *, now: datetime) -> None: ...

    def release(self, event_ids: Iterable[str]) -> None: ...

    def entries(self, *, include_pending: bool = False) -> list[OutboxEntry]: ...

    def get(self, event_ids: Iterable[str]) -> dict[str, OutboxEntry]: ...

    def unpark(self, event_ids: Iterable[str] | None) -> list[str]: ...


class NoticeRepository(Protocol):
    """Messages sent to customers, and what each line's customer was last told."""

    def order_state(self, order_ref: str, *, lock: bool = False) -> OrderState | None: ...

    def sent_for_event(self, event_id: str) -> bool: ...

    def record(
        self,
        order_ref: str,
        *,
        kind: str,
        sent_on: date,
        recipient: str | None,
        subject: str,
        event_id: str | None,
        status: str,
    ) -> None: ...

    def mark_told(self, order_ref: str, told: dict[int, date | None], *, on: date) -> None: ...

    def awaiting_new_date(self, day: date) -> list[str]: ...


class Mailer(Protocol):
    """Sends one message to a customer; raises when the mail server does not accept it."""

    def send(self, message: CustomerMessage) -> None: ...


@dataclass(frozen=True)
class ShopifyOrderRecord:
    """A Shopify order as last heard of: placed, held (with the problem) or cancelled."""

    shopify_order_id: str
    order_ref: str
    state: str
    problem: str | None
    shop_updated_at: datetime | None
    financial_status: str | None
    payload: str
    received_at: datetime


class ShopifyRepository(Protocol):
    """Shopify deliveries taken, and each Shopify order's state, for de-duplication and ordering."""

    def record_event(self, event_id: str, topic: str, shopify_order_id: str | None) -> bool: ...

    def claim(self, record: ShopifyOrderRecord) -> ShopifyOrderRecord | None: ...

    def record_events(self, events: Sequence[tuple[str, str, str | None]]) -> set[str]: ...

    def claim_new(self, records: Sequence[ShopifyOrderRecord]) -> set[str]: ...

    def save(self, record: ShopifyOrderRecord) -> None: ...

    def get(self, shopify_order_id: str) -> ShopifyOrderRecord | None: ...

    def held(self) -> list[ShopifyOrderRecord]: ...

    def of_order(self, order_ref: str) -> ShopifyOrderRecord | None: ...

    def set_financial_status(self, order_ref: str, financial_status: str | None) -> None: ...

    def add_lines(self, order: SalesOrder, lines: Sequence[SalesOrderLine]) -> None: ...

    def shipped_through(self, order_ref: str, shipment_ref: str) -> dict[str, Decimal]: ...


class Housekeeping(Protocol):
    """Forgets records older than a cut-off (delivered events, stored answers, webhook ids); counts them."""

    def forget_delivered_events(self, before: datetime) -> int: ...

    def forget_answers(self, before: datetime) -> int: ...

    def forget_webhook_ids(self, before: datetime) -> int: ...


class StatusLinks(Protocol):
    """Links to an order's status page, kept only as token hashes; a revoked link opens nothing."""

    def add(self, order_ref: str, token_hash: str) -> None: ...

    def order_ref_of(self, token_hash: str) -> str | None: ...

    def revoke(self, order_ref: str) -> int: ...


@dataclass(frozen=True)
class StoredToken:
    """An API token as listed: who, what role, when made, last used and revoked; never the secret."""

    name: str
    role: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


class TokenRepository(Protocol):
    """API tokens by name, kept only as hashes; a revoked token is never live again."""

    def add(self, name: str, role: str, token_hash: str) -> bool: ...

    def role_of(self, token_hash: str) -> tuple[str, str] | None: ...

    def revoke(self, name: str) -> bool: ...

    def all(self) -> list[StoredToken]: ...

    def get(self, name: str) -> StoredToken | None: ...

    def record_use(self, name: str) -> None: ...


class RequestRepository(Protocol):
    """Answers to write requests by token and idempotency key: a repeat gets the same answer."""

    def get(self, key: str, *, owner: str = "") -> tuple[str, int, str] | None: ...

    def save(
        self, key: str, request_hash: str, status_code: int, response: str, *, owner: str = ""
    ) -> None: ...


class PlanningRepository(Protocol):
    """What the planner reads (a snapshot of stock, demand and supply) and the promises it stores."""

    def snapshot(
        self, today: date, *, around: Iterable[str] | None = None, lines_of_around: bool = False
    ) -> PlanInput: ...

    def stored_promises(
        self, order_refs: Iterable[str] | None = None
    ) -> dict[tuple[str, int], StoredPromise]: ...

    def stored_line_promises(self, line_ids: Collection[int]) -> dict[int, StoredPromise]: ...

    def save_promises(self, promises: Iterable[LinePromise], *, on: date) -> None: ...

    def placed(self, order_refs: Collection[str]) -> tuple[dict[str, Decimal], list[BackorderDemand]] | None:
        """What these orders took from stock (per SKU) and their backorders; None when one is not
        a plain stock order as placed (`planning.leftover.Leftover.with_placed`)."""
        ...


class StoredPlans(Protocol):
    """The last plan's queue and suggestions, kept so pages read them instead of planning."""

    def inputs_seen(self) -> int:
        """The last change to what planning reads, committed so far (read before a snapshot)."""
        ...

    def save(
        self, result: PlanResult, *, planned_on: date, inputs_seen: int, promises_digest: str | None = None
    ) -> None:
        """Replace the stored plan by `result`, planned from the inputs up to `inputs_seen`, its
        promises with `promises_digest` (`planning.promise_digest`)."""
        ...

    def promises_digest(self, inputs_seen: int) -> str | None:
        """The stored plan's promise digest when no input changed after it (up to `inputs_seen`)."""
        ...

    def placed_since(self, seen: int, upto: int) -> list[str] | None:
        """The refs of the orders the changes after `seen` up to `upto` placed, when placing
        orders is all they did; None otherwise."""
        ...

    def feasible_mos(self, refs: Collection[str]) -> dict[str, FeasibleDates] | None:
        """The stored plan's dates of those open MOs it dated, by ref (an MO opened since the plan
        is not there, out of date or not); None when no plan is stored."""
        ...


@dataclass(frozen=True)
class JournalRow:
    """One line of the journal as `pegboard journal` prints it."""

    date: date
    entry: int
    account: str
    debit: Decimal
    credit: Decimal
    order_ref: str | None
    memo: str


class JournalRepository(Protocol):
    """The books' journal: balanced entries appended, never changed; sums read back."""

    def add(self, entry: JournalEntry) -> int: ...

    def order_balances(self, order_ref: str) -> dict[str, Decimal]: ...

    def totals(self) -> dict[str, tuple[Decimal, Decimal]]: ...

    def cash_by_reference(self, order_ref: str, reference: str) -> tuple[Decimal, Decimal]: ...

    def rows(self, *, start: date | None = None, end: date | None = None) -> list[JournalRow]: ...

    @property
    def charges(self) -> ChargesRepository: ...


class ChargesRepository(Protocol):
    """An order's tax, discounts and shipping, written when the order is placed (replaced when the
    shop changes them; the journal books the change)."""

    def add(self, order_ref: str, charges: OrderCharges) -> None: ...

    def replace(self, order_ref: str, charges: OrderCharges) -> None: ...

    def of(self, order_ref: str) -> OrderCharges: ...


class ValuationRepository(Protocol):
    """The stock value ledger: a value row per stock movement; holdings and totals read back."""

    def add(self, move: ValuedMove) -> None: ...

    def holdings(self, skus: Iterable[str], method: CostMethod) -> dict[str, Holding]: ...

    def totals(self, *, as_of: date | None = None) -> dict[str, tuple[Decimal, Decimal]]: ...

    def moves(self) -> list[ValuedMove]: ...

    def unvalued(self) -> dict[str, Decimal]: ...


@dataclass(frozen=True)
class HeldQuote:
    """A quote's hold: its id, state (held, expired, converted, released), until when, the order
    it became, and what it holds by SKU."""

    quote_id: str
    status: str
    expires_at: datetime
    order_ref: str | None
    quantities: dict[str, Decimal]


class Holds(Protocol):
    """Stock held for quotes' checkouts, counted in the items' allocated totals while held."""

    def add(self, quote_id: str, quantities: Mapping[str, Decimal], *, expires_at: datetime) -> None: ...

    def get(self, quote_id: str) -> HeldQuote | None: ...

    def end_expired(self, now: datetime) -> dict[str, Decimal]: ...

    def convert(self, quote_id: str, order_ref: str, now: datetime) -> dict[str, Decimal]: ...

    def release(self, sku: str, quantity: Decimal, now: datetime) -> dict[str, Decimal]: ...

    def release_quote(self, quote_id: str, now: datetime) -> dict[str, Decimal]: ...

    def held(self) -> dict[str, Decimal]: ...


class UnitOfWork(Protocol):
    """One transaction: everything done inside commits together or not at all."""

    @property
    def complete_first_seconds(self) -> float:
        """How long complete-first may search while this transaction holds the items' locks."""
        ...

    @property
    def catalogue(self) -> Catalogue: ...

    @property
    def stock(self) -> StockRepository: ...

    @property
    def orders(self) -> OrderRepository: ...

    @property
    def supply(self) -> SupplyRepository: ...

    @property
    def outbox(self) -> Outbox: ...

    @property
    def tokens(self) -> TokenRepository: ...

    @property
    def requests(self) -> RequestRepository: ...

    @property
    def planning(self) -> PlanningRepository: ...

    @property
    def plans(self) -> StoredPlans: ...

    @property
    def status_links(self) -> StatusLinks: ...

    @property
    def housekeeping(self) -> Housekeeping: ...

    @property
    def notices(self) -> NoticeRepository: ...

    @property
    def deliveries(self) -> DeliveryRepository: ...

    @property
    def shopify(self) -> ShopifyRepository: ...

    @property
    def journal(self) -> JournalRepository: ...

    @property
    def valuation(self) -> ValuationRepository: ...

    @property
    def holds(self) -> Holds: ...

    @property
    def allocation_policy(self) -> AllocationPolicy:
        """The shop's allocation policy (a setting): who gets stock a write frees by itself."""
        ...

    @property
    def cost_method(self) -> CostMethod:
        """How goods going out are valued in this transaction (a setting)."""
        ...

    def __enter__(self) -> UnitOfWork: ...

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...

    def commit(self) -> None: ...


QuantityBySku = dict[str, Decimal]
