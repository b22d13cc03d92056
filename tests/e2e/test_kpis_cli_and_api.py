"""`pegboard kpis`, `GET /api/v1/kpis` and `pegboard report` on the hand-counted history of
tests/integration/views/kpi_story.py: the same figures both ways, bad input refused naming the
field with nothing written, and a report that needs no network (SQLite and PostgreSQL)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from pegboard.bootstrap import Pegboard
from pegboard.config import Settings
from pegboard.entrypoints.api.app import create_app
from pegboard.entrypoints.cli import main
from pegboard.services.tokens import Role, create_token
from tests.e2e.test_api_support import TestClient, assert_error, row_counts
from tests.integration.views.kpi_story import TODAY, day, seed

PERIOD = ["--from", day(0).isoformat(), "--to", day(10).isoformat()]


class Shop:
    """The story's database, served by the API (viewer token) and reachable by the CLI."""

    def __init__(self, db_url: str, client: TestClient, pb: Pegboard, token: str) -> None:
        self.db_url, self.client, self.pb, self.token = db_url, client, pb, token

    def get(self, **params: str) -> Any:
        return self.client.get(
            "/api/v1/kpis", params=params, headers={"Authorization": f"Bearer {self.token}"}
        )

    def cli(self, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
        code = main(["--db", self.db_url, "--today", TODAY.isoformat(), *args])
        captured = capsys.readouterr()
        return code, captured.out, captured.err


@pytest.fixture
def shop(db_url: str) -> Iterator[Shop]:
    app = create_app(Settings(database_url=db_url), today=TODAY)
    pb: Pegboard = app.state.pegboard
    with TestClient(app) as client:
        token = create_token("reader", Role.VIEWER, uow=pb.uow())
        seed(pb)
        yield Shop(db_url, client, pb, token)


def test_the_cli_and_the_api_give_the_same_figures(shop: Shop, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = shop.cli(capsys, "kpis", "--json", *PERIOD)
    answer = shop.get(**{"from": day(0).isoformat(), "to": day(10).isoformat()})
    code_sku, out_sku, _ = shop.cli(capsys, "kpis", "--json", "--sku", "KETTLE", *PERIOD)
    answer_sku = shop.get(**{"from": day(0).isoformat(), "to": day(10).isoformat(), "sku": "KETTLE"})

    assert (code, code_sku, answer.status_code, answer_sku.status_code) == (0, 0, 200, 200)
    assert json.loads(out) == answer.json()
    assert json.loads(out_sku) == answer_sku.json()
    # The hand-counted figures (see kpi_story.py and tests/integration/views/test_kpis.py).
    figures = answer.json()
    assert [figures[k] for k in ("fill_rate", "on_time_in_full", "promise_accuracy", "backorder_rate")] == [
        0.8,
        0.75,
        0.5,
        0.5714,
    ]
    assert (figures["open_backorder_value"], figures["deposits_held"], figures["revenue_shipped"]) == (
        100,
        250,
        350,
    )
    assert answer_sku.json()["fill_rate"] == 0.5


def test_the_table_names_every_figure(shop: Shop, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = shop.cli(capsys, "kpis", *PERIOD, "--supplier", "Kettle Co")

    assert code == 0
    assert "KPIs 2026-11-02 to 2026-11-12" in out and "Kettle" in out
    assert "promise_accuracy" in out and "Stockout days" in out and "KETTLE" in out


@pytest.mark.parametrize(
    ("args", "params", "field"),
    [
        (["--from", "2026-11-12", "--to", "2026-11-02"], {"from": "2026-11-12", "to": "2026-11-02"}, "from"),
        (["--to", "2026-11-31"], {"to": "2026-11-31"}, "to"),
        (["--sku", "TEAPOT"], {"sku": "TEAPOT"}, "sku"),
        (["--supplier", "Nobody Ltd"], {"supplier": "Nobody Ltd"}, "supplier"),
    ],
)
def test_bad_input_is_refused_naming_the_field_and_nothing_is_written(
    shop: Shop, capsys: pytest.CaptureFixture[str], args: list[str], params: dict[str, str], field: str
) -> None:
    before = row_counts(shop.pb)

    code, out, err = shop.cli(capsys, "kpis", "--json", *args)
    answer = shop.get(**params)

    assert code == 2 and out == "" and field in err
    assert answer.status_code == 422
    assert field in json.dumps(answer.json()["error"])
    assert row_counts(shop.pb) == before


def test_an_unknown_sku_is_a_422_naming_sku_not_a_404(shop: Shop) -> None:
    assert_error(shop.get(sku="TEAPOT"), 422, "invalid_value", field="sku")


def test_the_report_is_one_html_file_needing_no_network_and_four_png_charts(
    shop: Shop, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    folder = tmp_path / "report"

    code, out, _ = shop.cli(capsys, "report", "--out", str(folder), *PERIOD)

    assert code == 0
    html = (folder / "report.html").read_text(encoding="utf-8")
    pngs = sorted(p.name for p in folder.glob("*.png"))
    assert pngs == ["ages.png", "promises.png", "suppliers.png", "trend.png"]
    assert all((folder / name).read_bytes().startswith(b"\x89PNG\r\n\x1a\n") for name in pngs)
    assert html.count('<img src="data:image/png;base64,') == 4
    assert "http://" not in html and "https://" not in html and "<script" not in html and "<link" not in html
    # The figures inside are the hand-counted ones: fill rate 80 %, 6 stockout days of KETTLE.
    assert "80 %" in html and '<td>KETTLE</td><td class="num">6</td>' in html
    assert "Wrote" in out


def test_the_cli_and_the_api_give_the_same_figures_for_one_supplier(
    shop: Shop, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = shop.cli(capsys, "kpis", "--json", "--supplier", "Kettle Co", *PERIOD)
    answer = shop.get(**{"from": day(0).isoformat(), "to": day(10).isoformat(), "supplier": "Kettle Co"})

    assert (code, answer.status_code) == (0, 200)
    assert json.loads(out) == answer.json()
    # Kettle Co's one PO line came 3 days late; its KETTLE lines are 3 placed, 2 backordered.
    figures = answer.json()
    assert (figures["supplier_on_time_rate"], figures["supplier_mean_slip_days"]) == (0, 3)
    assert (figures["lines_placed"], figures["backorder_rate"], figures["deposits_held"]) == (3, 0.6667, None)
    assert figures["stockout_days"] == [{"sku": "KETTLE", "days": 6}]


#: Figures of the moment (what waits now), not of the period: later business may change them.
NOW = ("open_backorder_", "backorder_age_", "oldest_backorder_days")


def test_a_past_period_gives_the_same_figures_and_report_after_later_business(
    shop: Shop, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, before, _ = shop.cli(capsys, "kpis", "--json", *PERIOD)
    assert shop.cli(capsys, "report", "--out", str(tmp_path / "a"), *PERIOD)[0] == 0
    # Day 11: SO-4 pays more, and SO-5 ships.
    later = ["--db", shop.db_url, "--today", day(11).isoformat()]
    assert main([*later, "pay", "SO-4", "10"]) == 0
    assert main([*later, "ship", "SO-5"]) == 0
    capsys.readouterr()

    again = shop.cli(capsys, "kpis", "--json", *PERIOD)[1]
    assert shop.cli(capsys, "report", "--out", str(tmp_path / "b"), *PERIOD)[0] == 0
    day_11 = json.loads(main_json(shop, capsys, "kpis", "--json", "--from", day(0).isoformat()))

    def of_the_period(text: str) -> dict[str, Any]:
        return {k: v for k, v in json.loads(text).items() if not k.startswith(NOW)}

    assert code == 0
    assert of_the_period(again) == of_the_period(before)
    assert (of_the_period(again)["deposits_held"], of_the_period(again)["revenue_shipped"]) == (250, 350)
    for name in ("report.html", "trend.png", "ages.png", "promises.png", "suppliers.png"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name
    # Run on day 11, the period reaching it counts the new payment and shipment.
    assert (day_11["deposits_held"], day_11["revenue_shipped"]) == (260, 360)


def main_json(shop: Shop, capsys: pytest.CaptureFixture[str], *args: str) -> str:
    """A command's output on day 11 of the story."""
    assert main(["--db", shop.db_url, "--today", day(11).isoformat(), *args]) == 0
    return capsys.readouterr().out
