// Lantern progressive enhancement. Every page works without this file; with it, forms
// marked data-enhance submit in place and the network page draws its graph.
(function () {
  "use strict";
  var csrfMeta = document.querySelector('meta[name="csrf-token"]');
  var csrf = csrfMeta ? csrfMeta.getAttribute("content") : "";

  function announce(text) {
    var live = document.getElementById("live");
    if (!live) {
      live = document.createElement("div");
      live.id = "live";
      live.setAttribute("role", "status");
      live.setAttribute("aria-live", "polite");
      live.className = "sr-only";
      document.body.appendChild(live);
    }
    live.textContent = text;
  }

  // <form data-enhance data-target="#row-1">: POST with fetch, swap the target with the
  // HTML fragment the server returns (like htmx's hx-post + hx-swap="outerHTML").
  document.addEventListener("submit", function (ev) {
    var form = ev.target;
    if (!(form instanceof HTMLFormElement) || !form.hasAttribute("data-enhance")) return;
    ev.preventDefault();
    var target = document.querySelector(form.getAttribute("data-target")) || form;
    var button = form.querySelector("button[type=submit]");
    if (button) button.disabled = true;
    fetch(form.action, {
      method: "POST",
      body: new FormData(form),
      credentials: "same-origin",
      headers: { "X-CSRF-Token": csrf, "X-Lantern-Fragment": "1" }
    }).then(function (resp) {
      return resp.text().then(function (html) { return { ok: resp.ok, html: html }; });
    }).then(function (res) {
      if (!res.ok) { form.submit(); return; }
      // a <template> parses any fragment, table rows included
      var tpl = document.createElement("template");
      tpl.innerHTML = res.html.trim();
      var fresh = tpl.content.firstElementChild;
      if (fresh) { target.replaceWith(fresh); var f = fresh.querySelector("[data-focus]") || fresh; f.setAttribute("tabindex", "-1"); f.focus(); }
      announce(form.getAttribute("data-done") || "Saved");
    }).catch(function () { form.submit(); });
  });

  // Network graph (Cytoscape.js, vendored).
  var holder = document.getElementById("graph");
  if (holder && window.cytoscape) {
    var colours = { suspect: "#a4161a", victim: "#0b6e99", child: "#0b6e99", other: "#7a7f87",
                    vehicle: "#b35c00", location: "#31572c", place: "#31572c", phone: "#6a3d9a",
                    online_account: "#6a3d9a", object: "#b35c00" };
    var url = holder.getAttribute("data-src");
    var form = document.getElementById("graph-filter");
    var cy = null;
    var load = function () {
      var params = "";
      if (form) {
        var query = new URLSearchParams();
        new FormData(form).forEach(function (value, key) { if (value) query.append(key, value); });
        params = query.toString();
      }
      fetch(url + (url.indexOf("?") < 0 ? "?" : "&") + params, { credentials: "same-origin" })
        .then(function (r) { return r.json(); })
        .then(function (data) {
          var els = (data.elements || data);
          if (cy) cy.destroy();
          cy = window.cytoscape({
            container: holder,
            elements: els,
            wheelSensitivity: 0.3,
            maxZoom: 1.4,
            minZoom: 0.1,
            style: [
              { selector: "node", style: {
                  "label": "data(label)", "font-size": 10, "text-valign": "bottom",
                  "text-margin-y": 3, "color": "#1b1f24",
                  "background-color": function (n) { return colours[n.data("role")] || colours[n.data("kind")] || "#7a7f87"; },
                  "shape": function (n) { var k = n.data("kind"); return (k === "person" || !k) ? "ellipse" : (k === "vehicle" ? "round-rectangle" : (k === "location" ? "diamond" : "hexagon")); },
                  "width": function (n) { return 14 + 26 * (n.data("score") || 0); },
                  "height": function (n) { return 14 + 26 * (n.data("score") || 0); } } },
              { selector: "edge", style: {
                  "width": function (e) { return Math.min(1 + (e.data("weight") || 1), 8); },
                  "line-color": "#9aa5b1", "curve-style": "haystack", "opacity": 0.8 } },
              { selector: ":selected", style: { "border-width": 4, "border-color": "#ffbf47" } }
            ],
            layout: { name: "cose", animate: false, randomize: true, nodeRepulsion: 60000, idealEdgeLength: 90, nodeOverlap: 20, gravity: 0.4, numIter: 2500, padding: 30 }
          });
          var info = document.getElementById("graph-info");
          cy.on("tap", "node", function (ev) {
            var d = ev.target.data();
            if (info) {
              info.textContent = (d.label || d.id) + " · " + (d.kind || "") + (d.role ? " · " + d.role : "") +
                (d.areas ? " · areas " + d.areas : "") + (d.first_seen ? " · " + d.first_seen + " to " + (d.last_seen || "") : "");
            }
          });
          var count = document.getElementById("graph-count");
          if (count) count.textContent = cy.nodes().length + " nodes, " + cy.edges().length + " links";
          announce("Graph drawn with " + cy.nodes().length + " nodes");
        });
    };
    if (form) form.addEventListener("submit", function (ev) { ev.preventDefault(); load(); });
    load();
  }
})();
