// Pegboard availability line for a shop's product page (no dependencies, no cookies).
//
// Include once:  <script src="https://PEGBOARD/static/availability.js" defer></script>
// and mark where the line goes:
//   <p data-pegboard-availability data-sku="SABER-GREEN" data-quantity="1" aria-live="polite"></p>
// The script asks https://PEGBOARD/public/availability/{sku}?quantity=N (the server it was loaded
// from, or data-pegboard-url on the element) and writes the answer's message into the element;
// it sets data-in-stock="true|false" for styling. An element with data-quantity-from="#qty"
// asks again when that input changes. Any failure leaves the element as the theme wrote it.
(function () {
  "use strict";

  var script = document.currentScript;
  var origin = script && script.src ? new URL(script.src).origin : "";

  function show(element) {
    var sku = element.getAttribute("data-sku");
    if (!sku) return;
    var base = element.getAttribute("data-pegboard-url") || origin;
    var quantity = element.getAttribute("data-quantity") || "1";
    var source = element.getAttribute("data-quantity-from");
    var input = source ? document.querySelector(source) : null;
    if (input && input.value) quantity = input.value;
    var url = base.replace(/\/$/, "") + "/public/availability/" + encodeURIComponent(sku) +
      "?quantity=" + encodeURIComponent(quantity);
    fetch(url, { credentials: "omit", mode: "cors" })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (found) {
        if (!found || typeof found.message !== "string") return;
        element.textContent = found.message;
        element.setAttribute("data-in-stock", found.in_stock ? "true" : "false");
        if (found.date) element.setAttribute("data-date", found.date);
        else element.removeAttribute("data-date");
      })
      .catch(function () { /* keep what the theme wrote */ });
  }

  function start() {
    document.querySelectorAll("[data-pegboard-availability]").forEach(function (element) {
      show(element);
      var source = element.getAttribute("data-quantity-from");
      var input = source ? document.querySelector(source) : null;
      if (input) input.addEventListener("change", function () { show(element); });
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
