"""What planning keeps: line promises, the stored plan, plan-input changes, applied reorder points."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    Index,
    Integer,
    LargeBinary,
    String,
    Table,
    Text,
    false,
    text,
)

from pegboard.adapters.db.tables.base import Id, metadata
from pegboard.adapters.db.types import ExactDecimal
from pegboard.domain import limits

#: The promise last given for each open order line (when its backorder is expected to ship),
#: and the first one ever given, kept for promise-accuracy figures.
line_promises = Table(
    "line_promises",
    metadata,
    #: The order line (`order_lines.id`). No foreign key: triggers keep the same rule (migration
    #: 0032), PostgreSQL's once per statement over its new rows, where the key checked and locked
    #: each row's line one by one (about 40% of the COPY of a whole plan's promises).
    Column("line_id", Id, primary_key=True, autoincrement=False),
    Column("promised_date", Date),
    Column("reason", String(500), nullable=False),
    Column("basis", String(100), nullable=False),
    Column("promised_on", Date, nullable=False),
    Column("first_date", Date),
    Column("first_promised_on", Date, nullable=False),
    #: The date the customer was last told (null with told_on set: told "date to follow").
    Column("told_date", Date),
    Column("told_on", Date),
    #: Written since the stored plan by a re-promise (not by a whole plan run), so it may differ
    #: from the stored plan's promise for its line (migration 0026, `services.planning._changes`).
    Column("since_plan", Boolean, nullable=False, server_default=false()),
    #: The line's item, kept beside its promise so one SKU's promises are read by this index
    #: rather than by joining all of them (migration 0030). Written with the row and never changed
    #: (a line keeps its item); no foreign key of its own: the line's rule covers it, and a
    #: per-row check would slow the plan's bulk write.
    Column("item_id", Id, nullable=False),
    #: The promise's parts, named by their key (`adapters.db.planning.promises.parts_key`): their
    #: text is `promise_parts.parts` for this key (migration 0040). A SKU's promises are grouped
    #: by it, and each distinct parts is then read once.
    Column("parts_key", BigInteger, nullable=False),
    Index(
        "ix_line_promises_since_plan",
        "line_id",
        postgresql_where=text("since_plan"),
        sqlite_where=text("since_plan"),
    ),
    # An item's promises (its backorder figures). It holds no column a plan changes, so a moved
    # promise is rewritten on its own page with no index written (migration 0033): every
    # morning most promises move a day.
    Index("ix_line_promises_item_id", "item_id", postgresql_include=["line_id"]),
    #: No longer written (NULL since migration 0040): the same text is `promise_parts.parts` for the
    #: row's `parts_key`. Kept so that nothing naming the column breaks; it stands last since 0040.
    Column("parts", Text),
    # Half of each page is left for the next version of its rows (PostgreSQL's heap-only updates).
    postgresql_with={"fillfactor": 50},
)


#: Each distinct parts of the stored promises (JSON text, as `planning.promises` writes a line's
#: parts), once, by its key: a whole plan at L has 169,205 for 792,670 promises (migration 0040).
#: Written before or with the promises naming them (`INSERT ... ON CONFLICT DO NOTHING`); those no
#: promise names any more are deleted by housekeeping (`SqlHousekeeping.forget_unused_parts`).
promise_parts = Table(
    "promise_parts",
    metadata,
    Column("parts_key", BigInteger, primary_key=True, autoincrement=False),
    Column("parts", Text, nullable=False),
)


#: Computed safety stock and reorder points as applied (`pegboard reorder-points --apply`):
#: the values before and after, the service level aimed at, who applied them and when.
reorder_point_changes = Table(
    "reorder_point_changes",
    metadata,
    Column("id", Id, primary_key=True),
    Column("sku", String(limits.SKU), nullable=False),
    Column("old_safety_stock", ExactDecimal, nullable=False),
    Column("new_safety_stock", ExactDecimal, nullable=False),
    Column("old_reorder_point", ExactDecimal),
    Column("new_reorder_point", ExactDecimal, nullable=False),
    Column("service_level", ExactDecimal, nullable=False),
    Column("applied_by", String(100), nullable=False),
    Column("applied_at", DateTime, nullable=False),
    Index("ix_reorder_point_changes_sku", "sku", "applied_at"),
)


#: The last stored plan (one row): when it was planned, and the last plan-input change it saw.
#: Its production queue and suggestions are the rows below; its promises are `line_promises`.
stored_plans = Table(
    "stored_plans",
    metadata,
    Column("id", Id, primary_key=True),
    Column("planned_on", Date, nullable=False),
    Column("planned_at", DateTime, nullable=False),
    #: The highest `plan_input_changes.id` when the plan read its snapshot (0: none yet).
    Column("inputs_seen", Id, nullable=False),
    #: `planning.promise_digest` of the plan's promises (migration 0020; None: not known).
    Column("promises_digest", String(64)),
    #: The whole plan (`planning.kept_plan`), so that a plan run on unchanged inputs answers with
    #: it; None: not kept (migration 0026).
    #: Deflated already: PostgreSQL stores it as it is, without trying to compress it again
    #: (STORAGE EXTERNAL, migration 0036; not a column option SQLAlchemy's tables carry).
    Column("kept_result", LargeBinary),
    #: The settings the plan was made with (`SqlStoredPlan.made_with`): it is kept for those only.
    Column("made_with", String(200)),
    #: Its snapshot's demand had no preorder, configured line or ship-complete order, so a re-plan
    #: after new orders may take the old lines from its promises (`planning.net_change`; 0031).
    Column("plain_demand", Boolean, nullable=False, server_default=false()),
)


#: The stored plan's production queue, in the order to make things: rank order. Ranks have room
#: between them (`sparse_ranks`), so read the queue by `ORDER BY rank`, never by rank values.
stored_plan_queue = Table(
    "stored_plan_queue",
    metadata,
    #: The stored plan (`stored_plans.id`). No foreign key: triggers keep the same rule and delete
    #: a plan's rows with it (migration 0036), PostgreSQL's once per statement over its new rows,
    #: where the key checked each row one by one (about half of the COPY of a first plan's rows).
    Column("plan_id", Id, primary_key=True, autoincrement=False),
    Column("rank", Integer, primary_key=True),
    Column("ref", String(limits.SUPPLY_REF), nullable=False),
    Column("sku", String(limits.SKU), nullable=False),
    Column("quantity", ExactDecimal(), nullable=False),
    Column("start_date", Date),
    Column("finish_date", Date),
    #: JSON lists: order refs made whole; missing materials (sku, quantity, available_date).
    Column("completes", Text, nullable=False),
    Column("missing", Text, nullable=False),
    #: A configured MO's choices (migration 0018); "" = the plain item.
    Column("options", String(500), nullable=False, server_default=""),
)


#: The stored plan's dates for every open MO as its materials allow (`planning.late_supply`), and
#: why they are later than the MO's own (migration 0022); the MO itself keeps the user's dates.
stored_plan_mos = Table(
    "stored_plan_mos",
    metadata,
    #: The stored plan (`stored_plans.id`), kept by triggers as the queue's is (migration 0036).
    Column("plan_id", Id, primary_key=True, autoincrement=False),
    Column("ref", String(limits.SUPPLY_REF), primary_key=True),
    Column("start_date", Date),
    Column("finish_date", Date),
    Column("late_because", Text),
)

#: The stored plan's suggestions: purchases (kind "buy") and MOs to open (kind "make"), in order.
stored_plan_suggestions = Table(
    "stored_plan_suggestions",
    metadata,
    #: The stored plan (`stored_plans.id`), kept by triggers as the queue's is (migration 0036).
    Column("plan_id", Id, primary_key=True, autoincrement=False),
    Column("seq", Integer, primary_key=True),
    Column("kind", String(4), nullable=False),
    Column("ref", String(limits.SUPPLY_REF)),
    Column("supplier", String(limits.SUPPLIER_NAME)),
    Column("sku", String(limits.SKU), nullable=False),
    Column("quantity", ExactDecimal(), nullable=False),
    Column("start_date", Date),
    Column("end_date", Date),
    #: A configured MO's choices (migration 0018); "" = the plain item.
    Column("options", String(500), nullable=False, server_default=""),
)


#: A row per committed transaction that wrote what planning reads (orders, stock, supply, items,
#: BOMs); a stored plan that has seen fewer is out of date. Pruned when a plan is stored.
plan_input_changes = Table(
    "plan_input_changes",
    metadata,
    Column("id", Id, primary_key=True),
    Column("changed_at", DateTime, nullable=False),
    #: When placing new orders is all the transaction changed: their refs, a JSON list (migration
    #: 0021); the kept leftover for quotes follows them instead of being built again. NULL: more.
    Column("placed_orders", Text),
)
