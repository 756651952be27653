/* Draws the charts of /about/ with Chart.js (static/vendor/chartjs, from npm) from the
 * JSON each chart's section carries. The table under each chart holds the same figures
 * and links, so without JavaScript (or Chart.js) nothing is lost: the canvas stays hidden.
 * Clicking a bar opens the list of the records it counts. */
(function () {
  "use strict";
  if (!window.Chart) {
    return;
  }
  // Okabe and Ito's palette: told apart with the common colour-vision deficiencies.
  var PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000", "#999999", "#7F3C8D", "#11A579", "#3969AC", "#F2B701", "#E73F74"];
  var reduceMotion = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;
  var charts = [];

  function draw(section) {
    var slug = section.id;
    var source = document.getElementById("chart-data-" + slug);
    var canvas = document.getElementById("chart-" + slug);
    if (!source || !canvas) {
      return;
    }
    var data = JSON.parse(source.textContent);
    var stacked = data.datasets.length > 1;
    canvas.parentNode.hidden = false;
    var chart = new window.Chart(canvas, {
      type: "bar",
      data: {
        labels: data.labels,
        datasets: data.datasets.map(function (set, i) {
          return { label: set.label, data: set.data, backgroundColor: PALETTE[i % PALETTE.length] };
        })
      },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: reduceMotion ? false : { duration: 300 },
        scales: {
          x: { stacked: stacked, title: { display: true, text: data.axis } },
          y: { stacked: stacked, beginAtZero: true, ticks: { precision: 0 } }
        },
        plugins: { legend: { display: stacked, position: "bottom" } },
        onClick: function (event, elements) {
          if (!elements.length) {
            return;
          }
          var url = data.datasets[elements[0].datasetIndex].urls[elements[0].index];
          if (url) {
            window.location.assign(url);
          }
        },
        onHover: function (event, elements) {
          event.native.target.style.cursor = elements.length ? "pointer" : "default";
        }
      }
    });
    charts.push(chart);
  }

  document.querySelectorAll("section.chart").forEach(draw);
  // Printing lays the page out anew: the charts fit the paper's width, then the screen's.
  window.addEventListener("beforeprint", function () {
    charts.forEach(function (chart) { chart.resize(); });
  });
  window.addEventListener("afterprint", function () {
    charts.forEach(function (chart) { chart.resize(); });
  });
})();
