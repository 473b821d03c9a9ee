// The overview's "events per day by kind" chart: uPlot stacked bars from the JSON data block the
// server wrote (never executed as script). The same figures are in the table under it.
(function () {
  'use strict';
  var COLORS = { created: '#2e9d5b', updated: '#3b7ae0', status_changed: '#e0a030', tags_changed: '#8e5bd0', deleted: '#d2453b', restored: '#1a9b9b' };
  var chart = null;
  function draw() {
    var box = document.getElementById('events-chart');
    var data = document.getElementById('events-chart-data');
    if (chart) { chart.destroy(); chart = null; }
    if (!box || !data || typeof uPlot === 'undefined') return;
    var parsed = JSON.parse(data.textContent || '{}');
    var xs = parsed.days.map(function (d) { return Date.parse(d + 'T00:00:00Z') / 1000; });
    // Stacked: each series is drawn as the running total up to it, the largest first, so every
    // kind shows as its own band; the legend and tooltip give each kind's own count.
    var own = parsed.series.map(function (s) { return s.counts; });
    var stacked = [];
    var sum = xs.map(function () { return 0; });
    own.forEach(function (counts) { sum = sum.map(function (v, i) { return v + counts[i]; }); stacked.push(sum.slice()); });
    var bars = uPlot.paths.bars({ size: [0.75, 40] });
    var series = [{ label: 'Day (UTC)', value: function (u, v) { return v == null ? '' : new Date(v * 1000).toISOString().slice(0, 10); } }];
    parsed.series.forEach(function (s, k) {
      series.push({
        label: s.kind, fill: COLORS[s.kind] || '#8a93a3', stroke: COLORS[s.kind] || '#8a93a3', paths: bars, points: { show: false },
        // Hovering a day shows its count; otherwise the kind's total over the chart.
        value: function (u, v, si, i) { return i == null ? String(own[k].reduce(function (a, b) { return a + b; }, 0)) : String(own[k][i]); },
      });
    });
    var order = stacked.map(function (_, k) { return k; }).reverse();
    var width = Math.max(280, box.clientWidth - 16);
    chart = new uPlot({
      width: width, height: 240, series: [series[0]].concat(order.map(function (k) { return series[k + 1]; })),
      scales: { x: { time: true } }, legend: { live: true },
      axes: [{ space: 60 }, { label: 'events', size: 50 }],
    }, [xs].concat(order.map(function (k) { return stacked[k]; })), box);
  }
  var pending = null;
  window.addEventListener('resize', function () { clearTimeout(pending); pending = setTimeout(draw, 150); });
  document.addEventListener('DOMContentLoaded', draw);
  document.addEventListener('htmx:afterSettle', draw);
})();
