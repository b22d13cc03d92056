"""`pegboard suppliers`, `forecast` and `reorder-points`: JSON for tools, bad input exits 2, and
only --apply writes (SQLite and PostgreSQL)."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from sqlalchemy import func, select

from pegboard.adapters.db import tables as t
from pegboard.bootstrap import Pegboard, bootstrap
from pegboard.config import Settings
from pegboard.entrypoints.cli import main
from tests.integration.services.learning_story import TODAY, bolts_with_history
from tests.integration.services.test_learning import everything


@pytest.fixture
def shop(db_url: str) -> Iterator[Pegboard]:
    """Twelve weeks of bolt orders and receipts from a steady and an erratic supplier."""
    board = bootstrap(Settings(database_url=db_url), today=TODAY)
    try:
        bolts_with_history(board)
        yield board
    finally:
        board.close()


def run(shop: Pegboard, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["--db", shop.settings.database_url, "--today", TODAY.isoformat(), *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_suppliers_json_gives_each_suppliers_record(
    shop: Pegboard, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(shop, capsys, "suppliers", "--json")

    assert code == 0
    erratic, steady = json.loads(out)
    assert (erratic["supplier"], erratic["receipts"], erratic["on_time_rate"]) == ("Erratic Ltd", 6, 0.5)
    assert (erratic["lateness_p90_days"], erratic["lead_time_p50_days"]) == (4.0, 4.0)
    assert (steady["supplier"], steady["lateness_mean_days"], steady["lead_time_p90_days"]) == (
        "Steady Co",
        0,
        5,
    )
    assert [i["sku"] for i in steady["items"]] == ["BOLT-STEADY"]


def test_forecast_json_gives_the_weeks_asked_for_and_the_backtest(
    shop: Pegboard, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(shop, capsys, "forecast", "BOLT-STEADY", "--weeks", "4", "--json")

    assert code == 0
    (found,) = json.loads(out)
    assert found["sku"] == "BOLT-STEADY" and found["bucket"] == "week"
    assert [f["date"] for f in found["forecast"]] == ["2026-11-23", "2026-11-30", "2026-12-07", "2026-12-14"]
    assert len(found["history"]) == 12 and found["mase"] is not None
    assert {s["model"] for s in found["scores"]} >= {"naive", "croston", "tsb", "adida", "ets"}


def test_reorder_points_without_apply_writes_nothing(
    shop: Pegboard, capsys: pytest.CaptureFixture[str]
) -> None:
    before = everything(shop.engine)

    code, out, _ = run(shop, capsys, "reorder-points", "--service-level", "0.9", "--json")

    assert code == 0 and everything(shop.engine) == before
    rows = {r["sku"]: r for r in json.loads(out)}
    assert rows["BOLT-ERRATIC"]["reorder_point"] > rows["BOLT-STEADY"]["reorder_point"]
    assert rows["BOLT-ERRATIC"]["current_safety_stock"] == 1 and "applied" not in rows["BOLT-ERRATIC"]
    assert rows["BOLT-ERRATIC"]["stockout_probability"] <= 0.1


def test_reorder_points_apply_writes_the_proposed_values_and_records_who(
    shop: Pegboard, capsys: pytest.CaptureFixture[str]
) -> None:
    proposed = {r["sku"]: r for r in json.loads(run(shop, capsys, "reorder-points", "--json")[1])}

    code, out, _ = run(shop, capsys, "reorder-points", "--apply", "--by", "ada", "--json")

    assert code == 0
    applied = {r["sku"]: r for r in json.loads(out)}
    with shop.engine.connect() as conn:
        stored = {r.sku: (r.safety_stock, r.reorder_point) for r in conn.execute(select(t.items))}
        who = conn.execute(select(t.audit_log.c.actor, t.audit_log.c.ref).order_by(t.audit_log.c.ref)).all()
    for sku in ("BOLT-ERRATIC", "BOLT-STEADY"):
        assert applied[sku]["applied"] is True
        assert stored[sku] == (proposed[sku]["safety_stock"], proposed[sku]["reorder_point"])
    assert [tuple(r) for r in who] == [("ada", "BOLT-ERRATIC"), ("ada", "BOLT-STEADY")]


def test_a_service_level_outside_zero_and_one_exits_2_naming_the_option_and_writes_nothing(
    shop: Pegboard, capsys: pytest.CaptureFixture[str]
) -> None:
    before = everything(shop.engine)

    for level in ("1.5", "0", "-0.2", "1", "nan", "most"):
        code, _, err = run(shop, capsys, "reorder-points", "--service-level", level, "--apply")
        assert code == 2 and "--service-level" in err, level

    assert everything(shop.engine) == before
    with shop.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(t.reorder_point_changes)).scalar_one() == 0


def test_forecast_of_an_unknown_sku_or_too_many_weeks_exits_2(
    shop: Pegboard, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(shop, capsys, "forecast", "NO-SUCH-BOLT")[0] == 2
    code, _, err = run(shop, capsys, "forecast", "--weeks", "0")
    assert code == 2 and "--weeks" in err


def test_an_items_own_service_level_is_used_and_recorded(
    shop: Pegboard, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(shop, capsys, "service-level", "BOLT-STEADY", "0.99", "--by", "ada")[0] == 0

    rows = {r["sku"]: r for r in json.loads(run(shop, capsys, "reorder-points", "--json")[1])}

    assert rows["BOLT-STEADY"]["service_level"] == 0.99 and rows["BOLT-ERRATIC"]["service_level"] == 0.95
    assert run(shop, capsys, "service-level", "BOLT-STEADY", "default", "--by", "ada")[0] == 0
    code, _, err = run(shop, capsys, "service-level", "BOLT-STEADY", "2")
    assert code == 2 and "LEVEL" in err
    with shop.engine.connect() as conn:
        level = conn.execute(
            select(t.items.c.service_level).where(t.items.c.sku == "BOLT-STEADY")
        ).scalar_one()
        actions = conn.execute(select(t.audit_log.c.actor, t.audit_log.c.action)).all()
    assert level is None and [tuple(a) for a in actions] == [("ada", "service-level")] * 2
