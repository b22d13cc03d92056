// Small enhancements; every page reads and every form posts without this file.
(function () {
  "use strict";

  // Buttons marked data-confirm ask once before their form is sent.
  document.addEventListener("submit", function (event) {
    var button = event.submitter;
    var question = button && button.getAttribute("data-confirm");
    if (question && !window.confirm(question)) {
      event.preventDefault();
    }
  });

  // Slow forms ([data-busy], e.g. "Run plan" and "Confirm suggestions" at a large workshop): once
  // one is sent, the buttons of every slow form on the page are disabled, so neither a second click
  // nor the other slow form can start more of the same work meanwhile, and the sent form's text is
  // said in the page's status line ([data-busy-status]) until the answer replaces the page.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var said = form.getAttribute("data-busy");
    if (!said || event.defaultPrevented) return;
    if (document.querySelector('form[data-busy][aria-busy="true"]')) {
      event.preventDefault();
      return;
    }
    form.setAttribute("aria-busy", "true");
    // The form is sent all the same (its buttons have no name, so none is missed from its data).
    document.querySelectorAll("form[data-busy] button").forEach(function (button) { button.disabled = true; });
    var status = document.querySelector("[data-busy-status]");
    if (status) status.textContent = said;
  });

  // Back to a page the browser kept (the back button after a slow form): its forms work again.
  window.addEventListener("pageshow", function (event) {
    if (!event.persisted) return;
    document.querySelectorAll("form[data-busy]").forEach(function (form) {
      form.removeAttribute("aria-busy");
      form.querySelectorAll("button[type=submit]").forEach(function (button) {
        if (!button.hasAttribute("aria-describedby")) button.disabled = false;
      });
    });
    document.querySelectorAll("[data-busy-status]").forEach(function (status) { status.textContent = ""; });
  });

  // Drag-and-drop ranking: rows of a [data-sortable] table body carry a priority form each;
  // after a drop, the moved row's form is sent with the priority of its new place.
  function sortable(root) {
    if (!window.Sortable) return;
    root.querySelectorAll("[data-sortable]").forEach(function (body) {
      if (body.dataset.sortableReady) return;
      body.dataset.sortableReady = "1";
      window.Sortable.create(body, {
        handle: "[data-drag-handle]",
        animation: 150,
        onEnd: function (event) {
          if (event.oldIndex === event.newIndex) return;
          var rows = body.querySelectorAll("tr");
          var moved = rows[event.newIndex];
          var below = rows[event.newIndex + 1];
          var above = rows[event.newIndex - 1];
          var form = moved && moved.querySelector("form[data-priority-form]");
          if (!form || (!below && !above)) return;
          var priority = function (row) { return parseInt(row.getAttribute("data-priority"), 10) || 0; };
          // Just above the row now below it; at the bottom, just under the row above.
          var value = below ? priority(below) + 1 : Math.max(priority(above) - 1, 0);
          form.querySelector("input[name=priority]").value = value;
          form.submit();
        },
      });
    });
  }

  // Projected stock: a [data-chart] box holds its data; the table beside it stays the text alternative.
  function charts(root) {
    if (!window.Chart) return;
    root.querySelectorAll("[data-chart]").forEach(function (box) {
      if (box.dataset.chartReady) return;
      box.dataset.chartReady = "1";
      var data = JSON.parse(box.getAttribute("data-chart"));
      var flat = function (value, label, colour) {
        return { label: label, data: data.days.map(function () { return value; }), borderColor: colour,
                 borderDash: [6, 4], pointRadius: 0, stepped: true, fill: false };
      };
      var sets = [{ label: "Projected available", data: data.available, borderColor: "#1d5fa8",
                    backgroundColor: "#1d5fa8", stepped: true, fill: false, pointRadius: 0 }];
      sets.push(flat(data.safety_stock, "Safety stock", "#8a5300"));
      if (data.reorder_point !== null) sets.push(flat(data.reorder_point, "Reorder point", "#b3261e"));
      if (data.with_forecast) {
        sets.push({ label: "Less forecast demand", data: data.with_forecast, borderColor: "#1d5fa8",
                    borderDash: [4, 4], pointRadius: 0, fill: false });
      }
      box.hidden = false;
      new window.Chart(box.querySelector("canvas"), {
        type: "line",
        data: { labels: data.days, datasets: sets },
        options: { responsive: true, maintainAspectRatio: false, animation: false,
                   scales: { x: { title: { display: true, text: "Date" } },
                             y: { title: { display: true, text: "Units available" } } } },
      });
    });
  }

  // Demand forecast: weeks ordered (bars) and forecast (dashed line); its figures, a long table
  // of the same weeks, fold behind "The figures as a table" once the chart is drawn.
  function forecastCharts(root) {
    if (!window.Chart) return;
    root.querySelectorAll("[data-forecast-chart]").forEach(function (box) {
      if (box.dataset.chartReady) return;
      box.dataset.chartReady = "1";
      var data = JSON.parse(box.getAttribute("data-forecast-chart"));
      box.hidden = false;
      new window.Chart(box.querySelector("canvas"), {
        type: "bar",
        data: { labels: data.weeks, datasets: [
          { label: "Ordered", data: data.ordered, backgroundColor: "#1d5fa8" },
          { type: "line", label: "Forecast", data: data.forecast, borderColor: "#8a5300",
            borderDash: [6, 4], pointRadius: 2, fill: false } ] },
        options: { responsive: true, maintainAspectRatio: false, animation: false,
                   scales: { x: { title: { display: true, text: "Week from" } },
                             y: { title: { display: true, text: "Units" }, beginAtZero: true } } },
      });
      var figures = box.parentElement.querySelector("details.chart-figures");
      if (figures) figures.open = false;
    });
  }

  // Reports: each [data-kpi-chart] box holds one chart's title, axes, labels and values; the
  // table beside it stays the text alternative.
  // Counts are whole lines (no 0.5-line ticks); percentages run from 0 to 100.
  function yScale(data) {
    var scale = { beginAtZero: true, title: { display: true, text: data.y } };
    if (data.unit === "percent") { scale.min = 0; scale.max = 100; }
    else { scale.ticks = { precision: 0 }; }
    return scale;
  }

  function kpiCharts(root) {
    if (!window.Chart) return;
    root.querySelectorAll("[data-kpi-chart]").forEach(function (box) {
      if (box.dataset.chartReady) return;
      box.dataset.chartReady = "1";
      var data = JSON.parse(box.getAttribute("data-kpi-chart"));
      box.hidden = false;
      new window.Chart(box.querySelector("canvas"), {
        type: data.type,
        data: { labels: data.labels, datasets: [{ label: data.y, data: data.values, borderColor: "#1d5fa8",
                backgroundColor: "#1d5fa8", fill: false, pointRadius: 2, spanGaps: true }] },
        options: { responsive: true, maintainAspectRatio: false, animation: false,
                   plugins: { legend: { display: false } },
                   scales: { x: { title: { display: true, text: data.x } },
                             y: yScale(data) } },
      });
    });
  }

  function enhance(root) {
    sortable(root);
    charts(root);
    forecastCharts(root);
    kpiCharts(root);
  }

  document.addEventListener("DOMContentLoaded", function () { enhance(document); });
  document.addEventListener("htmx:afterSettle", function (event) { enhance(event.target); });
  // Content swapped out of band (the item's projected stock less its forecast) settles apart.
  document.addEventListener("htmx:oobAfterSwap", function (event) { enhance(document); });
})();
