/* Coordination charts: the vendored Apache ECharts over the JSON that the page embeds in
   <script type="application/json" id="coordination-charts">. Nothing is loaded from outside:
   the world map is /static/vendor/world.geo.json (features named by ISO 3166-1 alpha-2).
   Colours and figures come from the server, so the charts, their tables and the CTC report
   agree. Each chart container is role="img" with a table of the same figures next to it. */
(function () {
  "use strict";
  var FONT = '"Noto Sans", "Noto Sans CJK SC", "Segoe UI", system-ui, sans-serif';
  var INK = "#1b2330";
  var MUTED = "#4b5563";

  function encode(text) {
    return window.echarts.format.encodeHTML(String(text));
  }

  function heatmap(el, h, opts) {
    var chart = window.echarts.init(el, null, opts);
    chart.setOption({
      animation: false,
      textStyle: { fontFamily: FONT, color: INK },
      tooltip: {
        formatter: function (p) {
          return encode(h.rows[p.value[1]]) + "<br>" + encode(h.columns[p.value[0]]) + ": " +
            p.value[2] + "%";
        }
      },
      grid: { left: 8, right: 8, top: 4, bottom: 4, containLabel: true },
      xAxis: {
        type: "category", data: h.columns, position: "top",
        axisTick: { show: false }, axisLine: { show: false },
        axisLabel: { interval: 0, width: h.labelWidth, overflow: "break", fontSize: 11,
                     lineHeight: 13, color: INK, fontFamily: FONT }
      },
      yAxis: {
        type: "category", data: h.rows, inverse: true,
        axisTick: { show: false }, axisLine: { show: false },
        axisLabel: { fontSize: 12, color: INK, fontFamily: FONT }
      },
      series: [{
        type: "heatmap", data: h.data,
        label: { show: true, fontSize: 11, fontFamily: FONT,
                 formatter: function (p) { return p.value[2] + "%"; } },
        itemStyle: { borderColor: "#ffffff", borderWidth: 2 },
        emphasis: { itemStyle: { borderColor: INK, borderWidth: 1 } }
      }]
    });
    chart.on("click", function (p) {
      window.location.href = "/coordination/countries/" + encodeURIComponent(h.codes[p.value[1]]);
    });
    return chart;
  }

  function worldMap(el, w, labels, geo, opts) {
    window.echarts.registerMap("world", geo);
    var chart = window.echarts.init(el, null, opts);
    var max = 0.01;
    var items = w.items.map(function (i) {
      max = Math.max(max, i.value);
      return { name: i.code, value: i.value, label: i.name };
    });
    chart.setOption({
      animation: false,
      textStyle: { fontFamily: FONT, color: INK },
      tooltip: {
        trigger: "item",
        formatter: function (p) {
          if (!p.data) { return encode(p.name) + ": " + encode(labels.no_data); }
          return encode(p.data.label) + " (" + encode(p.name) + "): " + p.data.value.toFixed(2);
        }
      },
      visualMap: {
        type: "continuous", min: 0, max: max, inRange: { color: w.scale },
        text: [labels.high, labels.low], calculable: false, orient: "horizontal",
        left: "center", bottom: 0, itemWidth: 12, itemHeight: 140,
        textStyle: { color: MUTED, fontFamily: FONT, fontSize: 11 }
      },
      series: [{
        type: "map", map: "world", roam: true, data: items,
        top: 4, bottom: 36, left: 4, right: 4,
        itemStyle: { areaColor: w.no_data, borderColor: "#9aa4b2", borderWidth: 0.4 },
        emphasis: { label: { show: false }, itemStyle: { areaColor: "#f59e0b" } },
        select: { disabled: true }
      }]
    });
    chart.on("click", function (p) {
      if (p.data) {
        window.location.href = "/coordination/countries/" + encodeURIComponent(p.name);
      }
    });
    return chart;
  }

  function start() {
    var source = document.getElementById("coordination-charts");
    if (!source || !window.echarts) { return; }
    var data = JSON.parse(source.textContent);
    var opts = { locale: data.lang, renderer: "svg" };
    var drawn = [];
    var heat = document.getElementById("gap-heatmap");
    if (heat && data.heatmap && data.heatmap.rows.length) {
      drawn.push(heatmap(heat, data.heatmap, opts));
      heat.setAttribute("data-rendered", "true");
    }
    var map = document.getElementById("world-map");
    if (map && data.world) {
      fetch("/static/vendor/world.geo.json", { credentials: "same-origin" })
        .then(function (r) { return r.json(); })
        .then(function (geo) {
          drawn.push(worldMap(map, data.world, data.labels, geo, opts));
          map.setAttribute("data-rendered", "true");
        });
    }
    window.addEventListener("resize", function () {
      drawn.forEach(function (c) { c.resize(); });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
