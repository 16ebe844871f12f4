/* Interactive SVG graphs drawn by the server (svg[data-graph]): pointing at or focusing a
   node ([data-node]) highlights its links ([data-edge] with data-from/data-to) and its
   neighbours, dims the rest, and shows the node's data-detail in the element named by the
   graph's data-info. Nothing is loaded from outside; without JavaScript the graph still shows,
   and its table lists the same accounts. */
(function () {
  "use strict";
  function wire(svg) {
    var info = document.getElementById(svg.getAttribute("data-info") || "");
    var nodes = Array.prototype.slice.call(svg.querySelectorAll("[data-node]"));
    var edges = Array.prototype.slice.call(svg.querySelectorAll("[data-edge]"));
    var fallback = info ? info.getAttribute("data-default") || "" : "";
    function show(node) {
      var id = node.getAttribute("data-node");
      var near = {};
      near[id] = true;
      edges.forEach(function (e) {
        var on = e.getAttribute("data-from") === id || e.getAttribute("data-to") === id;
        e.classList.toggle("on", on);
        if (on) { near[e.getAttribute("data-from")] = true; near[e.getAttribute("data-to")] = true; }
      });
      nodes.forEach(function (n) { n.classList.toggle("dim", !near[n.getAttribute("data-node")]); });
      svg.classList.add("focused");
      if (info) { info.textContent = node.getAttribute("data-detail") || ""; }
    }
    function clear() {
      edges.forEach(function (e) { e.classList.remove("on"); });
      nodes.forEach(function (n) { n.classList.remove("dim"); });
      svg.classList.remove("focused");
      if (info) { info.textContent = fallback; }
    }
    nodes.forEach(function (n) {
      n.addEventListener("mouseenter", function () { show(n); });
      n.addEventListener("focus", function () { show(n); });
      n.addEventListener("mouseleave", clear);
      n.addEventListener("blur", clear);
    });
  }
  function init() { Array.prototype.forEach.call(document.querySelectorAll("svg[data-graph]"), wire); }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", init); } else { init(); }
})();
