// The statistics dashboard: a bar chart of applications and approvals per group, from the page's own data.
document.addEventListener("DOMContentLoaded", function () {
  var node = document.getElementById("stats-chart");
  var source = document.getElementById("stats-data");
  if (!node || !source || !window.echarts) return;
  var data = JSON.parse(source.textContent);
  if (!data.keys.length) { node.hidden = true; return; }
  var chart = window.echarts.init(node);
  chart.setOption({
    tooltip: {trigger: "axis"},
    legend: {},
    grid: {containLabel: true, left: 8, right: 8},
    xAxis: {type: "category", data: data.keys, axisLabel: {interval: 0, rotate: data.keys.length > 4 ? 30 : 0}},
    yAxis: {type: "value", minInterval: 1},
    series: [
      {name: data.labels.applications, type: "bar", data: data.applications},
      {name: data.labels.approved, type: "bar", data: data.approved}
    ]
  });
  window.addEventListener("resize", function () { chart.resize(); });
});
