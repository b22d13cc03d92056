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
