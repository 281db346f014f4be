// The compliance page's charts (templates/routines/compliance.html), drawn with the vendored Chart.js from the
// figures the page carries as JSON (json_script): no inline script, so the CSP holds.
(function () {
  "use strict";
  if (typeof window.Chart === "undefined") { return; }
  var colours = ["#198754", "#fd7e14", "#0d6efd", "#6f42c1", "#dc3545"];
  document.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
    var source = document.getElementById(canvas.getAttribute("data-chart"));
    if (!source) { return; }
    var data = JSON.parse(source.textContent);
    var stacked = Boolean(data.stacked);
    var palette = stacked ? ["#198754", "#fd7e14", "#dc3545"] : colours;
    new window.Chart(canvas, {
      type: stacked ? "bar" : "line",
      data: {
        labels: data.labels,
        datasets: data.series.map(function (series, i) {
          return {label: series.label, data: series.data, borderColor: palette[i % palette.length],
                  backgroundColor: palette[i % palette.length], spanGaps: true, tension: 0.2};
        })
      },
      options: {
        responsive: true, maintainAspectRatio: false, animation: false,
        interaction: {mode: "index", intersect: false},
        plugins: {legend: {position: "bottom", labels: {boxWidth: 12}}},
        scales: {
          x: {stacked: stacked},
          y: {stacked: stacked, beginAtZero: true, max: data.percent ? 100 : undefined,
              ticks: {callback: function (v) { return data.percent ? v + "%" : v; }}}
        }
      }
    });
  });
})();
