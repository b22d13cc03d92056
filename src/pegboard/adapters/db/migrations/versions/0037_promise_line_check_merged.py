"""a statement's many new line promises are checked against their order lines by one ordered
pass over the order lines' key, not a hash of every order line

0032's check (after each INSERT statement, over its new promises: every one names an existing
order line) let PostgreSQL choose its join. For a first plan's promises at L (792,670 new rows in
one COPY, 1M order lines) it hashed all the order lines, in 8 batches spilled to disk with the
default `work_mem`: the larger part of the two insert triggers' 0.7 to 0.8 s of server CPU, at
the end of the COPY, while the plan waits. The new rows come in line id order (the store writes
them so), so a merge join of them against the order lines' primary key (an index-only scan, in
order) does the same check in one pass, with memory enough to sort them there.

The rule is the same, on both databases: a promise names an existing order line. On PostgreSQL
a statement of more than `_MANY` new promises is checked by that merge join (the planner's hash
and nested-loop joins set aside for this one statement, with `work_mem` for the sort, then the
settings put back as they were); fewer new promises (a re-promise, orders placed) are checked as
before, by probing the key for each. SQLite checks each row before it is written (0032): nothing
changes there.

Revision ID: 0037
Revises: 0036
Create Date: 2026-12-07
"""

from __future__ import annotations

from alembic import op

revision = "0037"
down_revision = "0036"
branch_labels = None
depends_on = None

_NO_LINE = "a line promise names no order line"
#: Above this many new promises in one statement, the ordered check.
_MANY = 10_000
_MISSING = (
    "SELECT EXISTS (SELECT 1 FROM new_promises p WHERE NOT EXISTS "
    "(SELECT 1 FROM order_lines x WHERE x.id = p.line_id))"
)
#: The settings the ordered check runs with, for its one statement.
_ORDERED = (("enable_hashjoin", "off"), ("enable_nestloop", "off"), ("work_mem", "64MB"))

_BEFORE = (
    f"BEGIN IF {_MISSING[len('SELECT ') :]} THEN "
    f"RAISE foreign_key_violation USING MESSAGE = '{_NO_LINE}'; END IF; RETURN NULL; END"
)


def _body() -> str:
    saved = "; ".join(f"was_{k} := current_setting('{name}')" for k, (name, _) in enumerate(_ORDERED))
    ordered = ", ".join(f"set_config('{name}', '{value}', true)" for name, value in _ORDERED)
    restored = ", ".join(f"set_config('{name}', was_{k}, true)" for k, (name, _) in enumerate(_ORDERED))
    declared = " ".join(f"was_{k} text;" for k in range(len(_ORDERED)))
    return (
        f"DECLARE missing boolean; {declared} BEGIN "
        f"IF EXISTS (SELECT 1 FROM new_promises OFFSET {_MANY}) THEN "
        # Planned when run (EXECUTE), under the settings of this statement alone.
        f"{saved}; PERFORM {ordered}; "
        f"EXECUTE '{_MISSING}' INTO missing; "
        f"PERFORM {restored}; "
        f"ELSE missing := {_MISSING[len('SELECT ') :]}; END IF; "
        f"IF missing THEN RAISE foreign_key_violation USING MESSAGE = '{_NO_LINE}'; END IF; "
        "RETURN NULL; END"
    )


def _replace(body: str) -> None:
    op.execute(
        "CREATE OR REPLACE FUNCTION line_promises_line_exists() RETURNS trigger LANGUAGE plpgsql "
        f"AS $$ {body} $$"
    )


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        _replace(_body())


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        _replace(_BEFORE)
