"""PEGBOARD_TIMEZONE decides the shop's day for orders, backorders and promises; --today overrides it."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from pegboard.entrypoints.cli import main


def a_zone_where_the_date_is_not_utcs() -> tuple[str, date]:
    """UTC+14 is a day ahead from 10:00 UTC, UTC-12 a day behind until 12:00 UTC: one always differs."""
    for zone in ("Etc/GMT-14", "Etc/GMT+12"):
        shop_day = datetime.now(ZoneInfo(zone)).date()
        if shop_day != datetime.now(UTC).date():
            return zone, shop_day
    raise AssertionError("unreachable: one of the two zones is always on another date")


def test_a_backorder_opens_on_the_shops_day_and_plans_start_from_it(
    db_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    zone, shop_day = a_zone_where_the_date_is_not_utcs()
    monkeypatch.setenv("PEGBOARD_TIMEZONE", zone)

    def cli(*args: str) -> str:
        code = main(["--db", db_url, *args])
        captured = capsys.readouterr()
        assert code == 0, captured.err
        return captured.out

    items = tmp_path / "items.csv"
    items.write_text("sku,name,procurement,lead_time_days\nKETTLE,Kettle,buy,3\n")
    cli("import", "items", str(items))
    cli("place", "SO-1", "KETTLE:2")
    cli("place", "SO-2", "KETTLE:1", "--today", "2026-11-23")

    opened = {b["order_ref"]: b["opened_at"] for b in json.loads(cli("backorders", "--json"))}
    promises = json.loads(cli("plan", "--json"))["promises"]
    on_the_shops_day = json.loads(cli("plan", "--json", "--today", shop_day.isoformat()))["promises"]

    assert opened == {"SO-1": shop_day.isoformat(), "SO-2": "2026-11-23"}
    assert promises == on_the_shops_day


def test_an_unknown_zone_is_bad_input_naming_the_setting(
    sqlite_url: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PEGBOARD_TIMEZONE", "Mars/Olympus")

    code = main(["--db", sqlite_url, "orders"])

    err = capsys.readouterr().err
    assert code == 2
    assert "PEGBOARD_TIMEZONE" in err and "Mars/Olympus" in err and "Traceback" not in err
