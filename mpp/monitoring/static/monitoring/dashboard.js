// Draws the dashboard charts with the vendored Chart.js. Each <canvas data-chart="id">
// reads its labels and values from the JSON script element with that id.
(function () {
  "use strict";
  function draw(canvas) {
    var source = document.getElementById(canvas.dataset.chart);
    if (!source || typeof Chart === "undefined") return;
    var data = JSON.parse(source.textContent);
    var kind = canvas.dataset.kind || "bar";
    new Chart(canvas, {
      type: kind,
      data: {
        labels: data.labels,
        datasets: [{ label: canvas.getAttribute("aria-label") || "", data: data.values,
                     backgroundColor: canvas.dataset.colour || "#0b4f8a",
                     borderColor: canvas.dataset.colour || "#0b4f8a", fill: false, tension: 0.2 }],
      },
      options: {
        indexAxis: canvas.dataset.horizontal ? "y" : "x",
        animation: false,
        responsive: true,
        maintainAspectRatio: false,
        plugins: { legend: { display: false } },
        scales: { x: { beginAtZero: true }, y: { beginAtZero: true } },
      },
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("canvas[data-chart]").forEach(draw);
  });
})();
