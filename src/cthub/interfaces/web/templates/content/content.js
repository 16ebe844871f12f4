/* Content pages: the transparency chart (the vendored Apache ECharts over the JSON that the
   page embeds in <script type="application/json" id="content-charts">) and the blurred review
   thumbnails, revealed only when the reviewer asks. Nothing is loaded from outside. */
(function () {
  "use strict";
  var FONT = '"Noto Sans", "Noto Sans CJK SC", "Segoe UI", system-ui, sans-serif';
  var INK = "#1b2330";
  var MUTED = "#4b5563";

  function months(el, data) {
    var chart = window.echarts.init(el, null, { locale: data.lang, renderer: "svg" });
    chart.setOption({
      animation: false,
      textStyle: { fontFamily: FONT, color: INK },
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      legend: { top: 0, textStyle: { color: INK, fontFamily: FONT } },
      grid: { left: 8, right: 16, top: 36, bottom: 8, containLabel: true },
      xAxis: { type: "category", data: data.months,
               axisLabel: { color: INK, fontFamily: FONT } },
      yAxis: { type: "value", minInterval: 1, name: data.axis,
               nameTextStyle: { color: MUTED, fontFamily: FONT },
               axisLabel: { color: MUTED, fontFamily: FONT } },
      series: data.series.map(function (s) {
        return { type: "bar", stack: "matches", name: s.name, data: s.data,
                 itemStyle: { color: s.colour }, barMaxWidth: 48 };
      })
    });
    el.setAttribute("data-rendered", "true");
    window.addEventListener("resize", function () { chart.resize(); });
  }

  function reveal(event) {
    var button = event.target.closest("[data-reveal]");
    if (!button) { return; }
    var shown = button.classList.toggle("revealed");
    button.setAttribute("aria-pressed", shown ? "true" : "false");
  }

  function start() {
    document.addEventListener("click", reveal);
    var source = document.getElementById("content-charts");
    var el = document.getElementById("months-chart");
    if (source && el && window.echarts) {
      months(el, JSON.parse(source.textContent));
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
