// The statistics dashboard: one ECharts chart per [data-chart] box, from the page's own data; charts follow the
// width of their box (a laptop or a phone) and an empty one says so instead of drawing empty axes.
document.addEventListener("DOMContentLoaded", function () {
  var source = document.getElementById("stats-data");
  if (!source || !window.echarts) return;
  var data = JSON.parse(source.textContent);
  var percent = function (v) { return v == null ? "—" : (v * 100).toFixed(1) + "%"; };

  function bars(keys, series, options) {
    options = options || {};
    return {
      tooltip: {trigger: "axis", valueFormatter: options.percent ? percent : undefined},
      legend: {top: 0},
      grid: {containLabel: true, left: 8, right: 8, top: 32, bottom: 8},
      xAxis: {type: "category", data: keys, axisLabel: {interval: 0, rotate: keys.length > 3 ? 30 : 0, width: 90, overflow: "truncate"}},
      yAxis: {type: "value", minInterval: options.percent ? 0 : 1, max: options.percent ? 1 : null,
              axisLabel: options.percent ? {formatter: percent} : {}},
      series: Object.keys(series).map(function (name) { return {name: name, type: "bar", data: series[name]}; })
    };
  }

  function pie(items) {
    return {
      tooltip: {trigger: "item"},
      legend: {bottom: 0, type: "scroll"},
      series: [{type: "pie", radius: ["35%", "65%"], center: ["50%", "45%"], data: items, label: {formatter: "{b}: {c}"}}]
    };
  }

  var builders = {
    weekly: function (d) {
      return d.weeks.length ? {
        tooltip: {trigger: "axis"}, legend: {top: 0},
        grid: {containLabel: true, left: 8, right: 8, top: 32, bottom: 8},
        xAxis: {type: "category", data: d.weeks}, yAxis: {type: "value", minInterval: 1},
        series: Object.keys(d.series).map(function (name) { return {name: name, type: "line", smooth: true, data: d.series[name]}; })
      } : null;
    },
    modes: function (d) { return d.length ? pie(d) : null; },
    departments: function (d) { return d.keys.length ? bars(d.keys, d.series) : null; },
    rates: function (d) { return d.keys.length ? bars(d.keys, d.series, {percent: true}) : null; },
    waived: function (d) { return d.keys.length ? bars(d.keys, {"": d.values}) : null; },
    ratings: function (d) { return d.some(function (i) { return i.value > 0; }) ? pie(d) : null; }
  };

  var charts = [];
  document.querySelectorAll("[data-chart]").forEach(function (node) {
    var name = node.getAttribute("data-chart");
    var option = builders[name] && builders[name](data[name]);
    if (!option) {
      node.classList.add("stats-chart-empty");
      node.textContent = node.getAttribute("data-empty") || "—";
      return;
    }
    var chart = window.echarts.init(node);
    chart.setOption(option);
    node.setAttribute("data-rendered", "1");
    charts.push(chart);
  });
  window.xinyipiStatsCharts = charts;
  window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
});
