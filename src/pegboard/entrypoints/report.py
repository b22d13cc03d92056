"""`pegboard report --out DIR`: a self-contained HTML report of the KPIs, and PNG charts for email.

The HTML holds everything it shows: its style inline and each chart as an embedded PNG (with its
figures again as a table), so it opens offline and can be mailed as one file. The same charts are
written beside it as PNG files. Charts are drawn by matplotlib (Agg, no display needed).
"""

from __future__ import annotations

import base64
import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape

from pegboard.views.kpis import Kpis, kpis_json
from pegboard.views.reports_page import CHARTS, chart_data, days_words, rate_words, weeks

TEMPLATES = Path(__file__).parent / "web" / "templates"
#: The chart files written beside the report, by chart key.
PNG_NAMES = {key: f"{key}.png" for key in CHARTS}
BLUE = "#1d5fa8"


def draw(chart: dict[str, Any]) -> bytes:
    """One chart as PNG bytes: a line or bars, titled, with both axes named."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    figure = Figure(figsize=(8, 4), dpi=100, layout="constrained")
    axes = figure.subplots()
    labels: list[str] = chart["labels"]
    values = [v if v is not None else float("nan") for v in chart["values"]]
    positions = list(range(len(labels)))
    if chart["type"] == "bar":
        axes.bar(positions, values, color=BLUE)
    else:
        axes.plot(positions, values, color=BLUE, marker="o", markersize=3)
    step = max(1, len(labels) // 10)
    axes.set_xticks(positions[::step], labels[::step], rotation=30, ha="right", fontsize=8)
    axes.set_title(chart["title"])
    axes.set_xlabel(chart["x"])
    axes.set_ylabel(chart["y"])
    if chart["unit"] == "percent":
        axes.set_ylim(0, 105)
    else:
        # Lines are counted whole: no 0.25-line ticks on a small history.
        from matplotlib.ticker import MaxNLocator

        axes.yaxis.set_major_locator(MaxNLocator(integer=True))
        axes.set_ylim(bottom=0)
    if chart["empty"]:
        axes.text(
            0.5, 0.5, "Nothing to show in this period", ha="center", va="center", transform=axes.transAxes
        )
    buffer = io.BytesIO()
    # No timestamp in the file: the same figures give the same bytes.
    figure.savefig(buffer, format="png", metadata={"Software": None})
    return buffer.getvalue()


def write_report(report: Kpis, out: Path, *, step: Callable[[str], None] = lambda _: None) -> list[Path]:
    """Write `report.html` and one PNG per chart into `out` (made if missing); the paths written."""
    out.mkdir(parents=True, exist_ok=True)
    charts = chart_data(report)
    written: list[Path] = []
    images: dict[str, str] = {}
    for key, chart in charts.items():
        step(f"Drawing {chart['title'].lower()}")
        png = draw(chart)
        path = out / PNG_NAMES[key]
        path.write_bytes(png)
        written.append(path)
        images[key] = "data:image/png;base64," + base64.b64encode(png).decode("ascii")
    step("Writing the HTML report")
    environment = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]))
    html = environment.get_template("kpi_report.html").render(
        k=report,
        charts=charts,
        images=images,
        weeks=weeks(report),
        figures=kpis_json(report),
        rate=rate_words,
        days=days_words,
    )
    path = out / "report.html"
    path.write_text(html, encoding="utf-8")
    written.append(path)
    return written
