"""The item page does no forecast work: its demand forecast loads after it, from its own route
(an htmx fragment that also brings the projected stock less the forecast demand, or a whole page
through a plain link without JavaScript), on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest

from pegboard.services import learning
from pegboard.services.imports import ImportKind
from tests.builders import import_text
from tests.conftest import MONDAY
from tests.e2e.test_web_supply_forms import Web, open_web

FORECAST_TABLE = "Demand by week, ordered and forecast"


@pytest.fixture
def web(db_url: str) -> Iterator[Web]:
    """The lightsaber workshop with ten weeks of spare hilts ordered behind it."""
    for web in open_web(db_url):
        rows = ["order_ref,customer,email,ordered_at,sku,quantity"]
        rows += [
            f"H-{i},Han,han@example.com,{MONDAY - timedelta(days=7 * i)},HILT,{1 + i % 3}"
            for i in range(1, 11)
        ]
        import_text(web.pb, ImportKind.ORDERS, "\n".join(rows) + "\n")
        yield web


def test_the_item_page_links_to_the_forecast_and_builds_none(web: Web) -> None:
    learning._forecast.cache_clear()

    answer = web.client.get("/items/HILT")

    assert answer.status_code == 200
    assert 'href="/items/HILT/forecast"' in answer.text and 'hx-get="/items/HILT/forecast"' in answer.text
    assert FORECAST_TABLE not in answer.text and '"with_forecast": null' in answer.text
    assert learning._forecast.cache_info().currsize == 0  # no forecast was made for the page


def test_the_fragment_brings_the_forecast_and_the_projected_stock_less_it(web: Web) -> None:
    learning._forecast.cache_clear()

    answer = web.client.get("/items/HILT/forecast", headers={"HX-Request": "true"})

    assert answer.status_code == 200 and "<html" not in answer.text
    assert FORECAST_TABLE in answer.text and 'id="forecast"' in answer.text
    assert 'id="projected-chart"' in answer.text and 'hx-swap-oob="true"' in answer.text
    assert '"with_forecast": null' not in answer.text and '"with_forecast": [' in answer.text
    assert learning._forecast.cache_info().currsize == 1  # this SKU's forecast only


def test_without_javascript_the_link_reads_as_a_whole_page(web: Web) -> None:
    answer = web.client.get("/items/HILT/forecast")

    assert answer.status_code == 200 and "<html" in answer.text
    assert FORECAST_TABLE in answer.text and "Projected stock by date" in answer.text
    assert answer.text.count('aria-label="Projected stock"') == 1 and "hx-swap-oob" not in answer.text
    assert 'href="/items/HILT"' in answer.text


def test_an_item_with_no_demand_history_says_so_and_an_unknown_sku_is_not_found(web: Web) -> None:
    never = web.client.get("/items/KYBER-GREEN/forecast", headers={"HX-Request": "true"})
    unknown = web.client.get("/items/NOPE/forecast")

    assert never.status_code == 200 and "No demand history to forecast from yet." in never.text
    assert unknown.status_code == 404
