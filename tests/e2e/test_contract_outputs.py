"""Every read of the CLI (`--json`) and of the REST API answers byte for byte as recorded.

The lightsaber workshop is built through the CLI on a fixed `--today` (the demo's first three
steps, then a crystal PO, an open MO, a preorder, a payment, a token and a user), and the output
of every read command and every `GET /api/v1` is compared with the files in `tests/golden/`.
Both databases must give the same bytes. A refactor that changes any of them fails here.

`PEGBOARD_UPDATE_GOLDEN=1 .venv/bin/pytest tests/e2e/test_contract_outputs.py -k sqlite` writes
the files again from the current code (then review the diff before committing it).

Only the values in `VOLATILE` are normalised: they hold the machine's time of day (the fixed
`--today` fixes the date, not the clock) or a random id.
"""

from __future__ import annotations

import io
import os
import re
import sys
from datetime import date
from pathlib import Path

import pytest

from pegboard.config import Settings
from pegboard.entrypoints.api.app import create_app
from pegboard.entrypoints.cli import main
from tests.e2e.test_api_support import TestClient
from tests.e2e.test_cli import TODAY, write

GOLDEN = Path(__file__).resolve().parent.parent / "golden"
UPDATE = os.environ.get("PEGBOARD_UPDATE_GOLDEN") == "1"

#: Keys whose values are the real time of day or random: a string value is replaced by a mark
#: (null stays null, so "never used" still differs from "used").
VOLATILE = (
    "created_at",  # tokens, users, outbox: the real time of day of the write
    "last_used_at",  # a token's last use: the real time of day
    "next_attempt_at",  # outbox: the real time of day plus a back-off
    "id",  # outbox: a random event id (uuid)
)
_VOLATILE = re.compile(rf'"({"|".join(VOLATILE)})":(\s*)"(?:[^"\\]|\\.)*"')

#: `pegboard ...` reads with their golden file name.
CLI_READS: dict[str, tuple[str, ...]] = {
    "orders": ("orders", "--json"),
    "orders-open": ("orders", "--json", "--status", "open"),
    "backorders": ("backorders", "--json"),
    "preorders": ("preorders", "--json"),
    "stock-saber-green": ("stock", "SABER-GREEN", "--json"),
    "stock-kyber-green": ("stock", "KYBER-GREEN", "--json"),
    "check-saber-green": ("check", "SABER-GREEN", "4", "--json"),
    "supply": ("supply", "--json"),
    "supply-all": ("supply", "--all", "--json"),
    "plan-preview": ("plan", "--preview", "--json"),
    "outbox-all": ("outbox", "--all", "--json"),
    "journal": ("journal", "--json"),
    "journal-csv": ("journal", "--csv"),
    "balance": ("balance", "--json"),
    "token-list": ("token", "list", "--json"),
    "user-list": ("user", "list", "--json"),
    "shopify-held": ("shopify", "held", "--json"),
    "kpis": ("kpis", "--json"),
    "valuation": ("valuation", "--json"),
    "suppliers-reliability": ("suppliers", "--json"),
    "reorder-points": ("reorder-points", "--json"),
    "quote-saber-green": ("quote", "SABER-GREEN:1", "--json"),
    "whatif-po-late": ("whatif", "--late", "PO-1:+7", "--order", "SABER-BLUE:2", "--json"),
}

#: `GET /api/v1...` reads with their golden file name.
API_READS: dict[str, str] = {
    "orders": "/orders",
    "orders-page": "/orders?limit=2&offset=1",
    "order-so-1": "/orders/SO-1",
    "order-so-4": "/orders/SO-4",
    "backorders": "/backorders",
    "preorders": "/preorders",
    "plan": "/plan",
    "shopify-held": "/shopify/held",
    "stock-saber-green": "/stock/SABER-GREEN",
    "purchase-order-po-1": "/purchase-orders/PO-1",
    "supply": "/supply",
    "supply-kyber-green": "/supply?sku=KYBER-GREEN",
    "material-check": "/manufacturing-orders/check?sku=SABER-GREEN&quantity=4",
    "manufacturing-order": "/manufacturing-orders/MO-1",
    "tokens": "/tokens",
    "journal": "/journal",
    "balance": "/balance",
    "suppliers": "/suppliers",
    "items": "/items",
    "item-saber-green": "/items/SABER-GREEN",
    "boms": "/boms",
    "bom-saber-green": "/boms/SABER-GREEN",
    "kpis": "/kpis",
    "valuation": "/valuation",
    "suppliers-reliability": "/suppliers/reliability",
    "reorder-points": "/reorder-points",
}

PREORDER_ITEM = "sku,name,procurement,price,release_date\nSABER-DARK,Dark saber,buy,1500,2026-12-24\n"
PREORDER = (
    "order_ref,customer,email,ordered_at,sku,quantity,unit_price\n"
    f"SO-4,Rey,rey@jakku.example,{TODAY}T12:00,SABER-DARK,1,1500\n"
)
CRYSTAL_PO = (
    "po_ref,supplier,sku,quantity,expected_date,unit_cost\nPO-1,Crystal Broker,KYBER-GREEN,2,2026-12-07,400\n"
)


def normalised(text: str) -> str:
    """The output with the `VOLATILE` values replaced by a mark, everything else untouched."""
    return _VOLATILE.sub(lambda m: f'"{m[1]}":{m[2]}"<{m[1]}>"', text)


def build_workshop(db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """The workshop mid-story through the CLI; returns an admin token for the API."""

    def run(*args: str) -> str:
        out = io.StringIO()
        monkeypatch.setattr(sys, "stdout", out)
        code = main(["--db", db_url, "--today", TODAY, *args])
        monkeypatch.undo()
        assert code == 0, (args, out.getvalue())
        return out.getvalue()

    run("demo", "--steps", "3")
    run("import", "purchase-orders", write(tmp_path, "po.csv", CRYSTAL_PO))
    run("make", "SABER-BLUE", "1")
    run("import", "items", write(tmp_path, "items.csv", PREORDER_ITEM))
    run("import", "orders", write(tmp_path, "orders.csv", PREORDER))
    run("pay", "SO-2", "1000", "--method", "card", "--reference", "TX-9")
    token = run("token", "create", "--name", "golden", "--role", "admin").strip()
    monkeypatch.setattr(sys, "stdin", io.StringIO("correct horse battery\n"))
    run("user", "create", "ada", "--role", "viewer")
    monkeypatch.undo()
    return token


def cli_outputs(db_url: str, capsys: pytest.CaptureFixture[str]) -> dict[str, str]:
    found = {}
    for name, args in CLI_READS.items():
        code = main(["--db", db_url, "--today", TODAY, *args])
        captured = capsys.readouterr()
        assert code == 0, (args, captured.err)
        found[f"cli/{name}.{'csv' if '--csv' in args else 'json'}"] = captured.out
    return found


def api_outputs(db_url: str, token: str) -> dict[str, str]:
    app = create_app(Settings(database_url=db_url), today=date.fromisoformat(TODAY))
    found = {}
    with TestClient(app) as client:
        for name, path in API_READS.items():
            response = client.get(f"/api/v1{path}", headers={"Authorization": f"Bearer {token}"})
            assert response.status_code == 200, (path, response.text)
            link = response.headers.get("link")
            found[f"api/{name}.json"] = response.text + (f"\nLink: {link}\n" if link else "")
    return found


def test_every_read_answers_byte_for_byte_as_recorded(
    db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    token = build_workshop(db_url, tmp_path, monkeypatch)

    outputs = cli_outputs(db_url, capsys) | api_outputs(db_url, token)

    if UPDATE:
        for name, text in outputs.items():
            (GOLDEN / name).parent.mkdir(parents=True, exist_ok=True)
            (GOLDEN / name).write_text(normalised(text))
    differing = [name for name, text in outputs.items() if normalised(text) != (GOLDEN / name).read_text()]
    assert not differing, f"outputs differ from tests/golden/: {differing}"
    recorded = {str(p.relative_to(GOLDEN)) for p in GOLDEN.rglob("*.*")}
    assert recorded == set(outputs), "a golden file has no read left, or a read has no golden file"
