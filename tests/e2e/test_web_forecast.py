"""The item page loads the demand forecast with its history (chart and table) after it shows, and
the projected stock chart takes the forecast demand off as a dashed series; without JavaScript a
link leads to the forecast (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from tests.e2e.web_support import (
    QUIET,
    TODAY,
    Workshop,
    assert_accessible,
    screenshot,
    served_on_each_database,
    signed_in,
)

if TYPE_CHECKING:
    from playwright.sync_api import Browser

pytestmark = QUIET


def hilt_history(workshop: Workshop, folder: Path) -> None:
    """Twenty weeks of hilt orders behind the demo (one to three a day, most days)."""
    start = date.fromisoformat(TODAY) - timedelta(days=140)
    rows = ["order_ref,customer,email,ordered_at,sku,quantity"]
    rows += [
        f"H-{i},Han,han@example.com,{start + timedelta(days=i)},HILT,{1 + i % 3}"
        for i in range(140)
        if i % 7 != 6
    ]
    path = folder / "orders.csv"
    path.write_text("\n".join(rows) + "\n")
    workshop.cli("import", "orders", str(path))


#: Served as `pegboard serve` runs by default: the forecasting models load in the background at start.
workshop = served_on_each_database(
    "web-forecast", steps=1, prepare=hilt_history, env={"PEGBOARD_FORECAST_PRELOAD": "true"}
)


def test_the_item_page_charts_the_forecast_and_takes_it_off_the_projected_stock(
    browser: Browser, workshop: Workshop
) -> None:
    with signed_in(browser, workshop, "viewer") as page:
        page.goto(workshop.url + "/items/HILT")

        page.get_by_role("img", name="Demand forecast").wait_for()  # loaded after the page
        page.locator("#projected-chart[data-chart-ready]").wait_for()  # swapped in with it
        projected = page.get_by_role("img", name="Projected stock")
        labels = projected.evaluate("canvas => Chart.getChart(canvas).data.datasets.map(d => d.label)")
        dashed = projected.evaluate(
            "canvas => Chart.getChart(canvas).data.datasets.find(d => d.label === 'Less forecast demand')"
        )
        # Drawn, the chart folds its long table of the same weeks away, one click from view.
        figures = page.locator("#forecast details")
        assert figures.evaluate("details => details.open") is False
        figures.get_by_text("The figures as a table").click()
        table = page.get_by_role("table", name="Demand by week, ordered and forecast")
        assert "Less forecast demand" in labels
        assert dashed["borderDash"] and dashed["data"][-1] < dashed["data"][0]
        chart = page.get_by_role("img", name="Demand forecast").evaluate(
            "canvas => { const d = Chart.getChart(canvas).data; return [d.labels, d.datasets[0].data]; }"
        )
        rows = [row.split("\t") for row in table.locator("tbody tr").all_inner_texts()]
        assert "Forecast" in table.inner_text()
        # The table holds the chart's weeks and figures: every week ordered, then the eight forecast.
        assert len(rows) == len(chart[0]) > 8
        assert [row[0].split(" ")[0] for row in rows] == [week.split(" ")[0] for week in chart[0]]
        assert [float(row[1]) if row[1].strip() else None for row in rows] == chart[1]
        assert_accessible(page)


def test_without_javascript_the_forecast_reads_as_a_table(browser: Browser, workshop: Workshop) -> None:
    with signed_in(browser, workshop, "viewer", java_script_enabled=False) as page:
        page.goto(workshop.url + "/items/HILT")
        page.get_by_role("link", name="Demand forecast and projected stock less the forecast demand").click()

        table = page.get_by_role("table", name="Demand by week, ordered and forecast")
        assert "Ordered" in table.inner_text()
        assert page.get_by_role("img", name="Demand forecast").count() == 0  # the chart box stays hidden
        screenshot(page, f"item-forecast-no-js-{workshop.kind}")


@pytest.mark.parametrize("width", [375, 1280])
def test_the_item_page_with_its_forecast_loaded_fits_the_screen(
    browser: Browser, workshop: Workshop, width: int
) -> None:
    with signed_in(browser, workshop, "viewer", viewport={"width": width, "height": 900}) as page:
        page.goto(workshop.url + "/items/HILT")
        page.get_by_role("img", name="Demand forecast").wait_for()
        page.locator("#projected-chart[data-chart-ready]").wait_for()

        screenshot(page, f"item-forecast-{workshop.kind}-{width}")
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        assert (
            page.get_by_role(
                "link", name="Demand forecast and projected stock less the forecast demand"
            ).count()
            == 0
        )
