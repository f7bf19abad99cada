// The rollout dashboard: polls GET /v1/rollouts/{id}/dashboard (every 2 s while the rollout runs) with the
// API key this browser keeps, and redraws the stage timeline, the charts (uPlot, bundled from its WebJar)
// and the tables from it. Text goes in with textContent only: nothing the server sends is parsed as HTML.
// The controls post to the rollout's own endpoints; the API checks the key's role again on each.
(function () {
  "use strict";
  var KEY = "promptcanary.apiKey";
  var POLL_MS = 2000;
  var root = document.getElementById("dashboard");
  if (!root) { return; }
  var id = root.dataset.rollout;
  var url = "/v1/rollouts/" + encodeURIComponent(id) + "/dashboard";
  var charts = {};
  var timer = null;
  var LABELS = {approve: "Approve (go on)", pause: "Pause", resume: "Resume", abort: "Abort (roll back)",
                bypass: "Emergency bypass to 100%"};
  var COLORS = {canary: "#0969da", stable: "#8250df", need: "#bf3989", margin: "#cf222e", zero: "#6e7781"};

  function $(elementId) { return document.getElementById(elementId); }
  function headers() { return {"Authorization": "Bearer " + localStorage.getItem(KEY)}; }
  function text(elementId, value) { var e = $(elementId); if (e) { e.textContent = value == null ? "" : value; } }
  function shown(elementId, visible) { var e = $(elementId); if (e) { e.hidden = !visible; } }

  function fillRows(tbodyId, items, cells) {
    var body = $(tbodyId);
    if (!body) { return; }
    var fragment = document.createDocumentFragment();
    items.forEach(function (item) {
      var tr = document.createElement("tr");
      cells(item).forEach(function (c) {
        var td = document.createElement("td");
        if (c.cls) { td.className = c.cls; }
        if (c.badge) {
          var span = document.createElement("span");
          span.className = "badge " + c.badge;
          span.textContent = c.text;
          td.appendChild(span);
        } else {
          td.textContent = c.text == null ? "" : String(c.text);
        }
        tr.appendChild(td);
      });
      fragment.appendChild(tr);
    });
    body.textContent = "";
    body.appendChild(fragment);
  }

  // ---- charts -------------------------------------------------------------------------------------------

  function plotWidth(figure) {
    return Math.max(220, Math.floor(figure.querySelector(".plot").getBoundingClientRect().width) || 300);
  }

  function draw(figure, key, options, data) {
    var plot = figure.querySelector(".plot");
    var points = data[0].length;
    figure.dataset.points = String(points);
    if (points === 0) {
      if (charts[key]) { charts[key].destroy(); delete charts[key]; }
      plot.innerHTML = "";
      var empty = document.createElement("div");
      empty.className = "empty";
      empty.textContent = "No looks yet.";
      plot.appendChild(empty);
      return;
    }
    var existing = charts[key];
    if (existing && existing.series.length === options.series.length) {
      existing.setData(data);
      return;
    }
    if (existing) { existing.destroy(); }
    plot.innerHTML = "";
    options.width = plotWidth(figure);
    options.height = window.innerWidth < 640 ? 180 : 220;
    options.legend = {live: false};
    charts[key] = new uPlot(options, data, plot);
    charts[key].figure = figure;
  }

  function line(label, color, extra) {
    var s = {label: label, stroke: color, width: 2, points: {show: true, size: 4}, spanGaps: false};
    Object.keys(extra || {}).forEach(function (k) { s[k] = extra[k]; });
    return s;
  }

  function weightChart(weight) {
    draw($("chart-weight"), "weight", {
      series: [{}, line("candidate %", COLORS.canary, {paths: uPlot.paths.stepped({align: 1}), fill: "rgba(9,105,218,0.08)"})],
      scales: {y: {range: [0, 100]}},
      axes: [{}, {values: function (u, ticks) { return ticks.map(function (v) { return v + "%"; }); }}]
    }, [weight.t, weight.y]);
  }

  // 1200 as 1.2k, 1000000 as 1M: the axis keeps its width whatever the stage needs.
  function compact(u, ticks) {
    return ticks.map(function (v) {
      var a = Math.abs(v);
      return a >= 1e6 ? +(v / 1e6).toFixed(1) + "M" : a >= 1e3 ? +(v / 1e3).toFixed(1) + "k" : String(v);
    });
  }

  function samplesChart(s) {
    draw($("chart-samples"), "samples", {
      axes: [{}, {values: compact, size: 56}],
      series: [{}, line("canary scored", COLORS.canary), line("stable scored", COLORS.stable),
               line("stage needs", COLORS.need, {dash: [6, 4], points: {show: false}, paths: uPlot.paths.stepped({align: 1})})],
      scales: {y: {range: function (u, min, max) { return [0, Math.max(1, max) * 1.1]; }}}
    }, [s.t, s.canaryJudged, s.stableJudged, s.required]);
  }

  function gateCharts(gates) {
    var container = $("gate-charts");
    var keep = {};
    gates.forEach(function (g) {
      var chartKey = "gate:" + g.key;
      keep[chartKey] = true;
      var figure = container.querySelector('figure[data-gate="' + CSS.escape(g.key) + '"]');
      if (!figure) {
        figure = document.createElement("figure");
        figure.className = "chart gate";
        figure.dataset.gate = g.key;
        figure.appendChild(document.createElement("figcaption"));
        var plot = document.createElement("div");
        plot.className = "plot";
        figure.appendChild(plot);
        var verdict = document.createElement("div");
        verdict.className = "verdict";
        figure.appendChild(verdict);
        container.appendChild(figure);
      }
      figure.querySelector("figcaption").textContent = g.label + (g.dryRun ? " (dry run)" : "") + ": " + g.lastDecision;
      figure.querySelector(".verdict").textContent = g.lastReason;
      var zero = g.t.map(function () { return 0; });
      draw(figure, chartKey, {
        series: [{}, line("lower", "rgba(9,105,218,0.5)", {width: 1, points: {show: false}}),
                 line("upper", "rgba(9,105,218,0.5)", {width: 1, points: {show: false}}),
                 line("estimate", COLORS.canary),
                 line("margin", COLORS.margin, {dash: [6, 4], points: {show: false}}),
                 line("zero", COLORS.zero, {width: 1, points: {show: false}})],
        bands: [{series: [2, 1], fill: "rgba(9,105,218,0.12)"}]
      }, [g.t, g.lower, g.upper, g.estimate, g.threshold, zero]);
    });
    Array.prototype.slice.call(container.querySelectorAll("figure.gate")).forEach(function (figure) {
      var chartKey = "gate:" + figure.dataset.gate;
      if (!keep[chartKey]) {
        if (charts[chartKey]) { charts[chartKey].destroy(); delete charts[chartKey]; }
        figure.remove();
      }
    });
  }

  var resizing = null;
  window.addEventListener("resize", function () {
    clearTimeout(resizing);
    resizing = setTimeout(function () {
      Object.keys(charts).forEach(function (k) {
        var c = charts[k];
        c.setSize({width: plotWidth(c.figure), height: window.innerWidth < 640 ? 180 : 220});
      });
    }, 150);
  });

  // ---- tables and facts ---------------------------------------------------------------------------------

  function stages(list) {
    var ol = $("stages");
    ol.textContent = "";
    list.forEach(function (s) {
      var li = document.createElement("li");
      li.className = s.status;
      li.dataset.status = s.status;
      var title = document.createElement("div");
      title.className = "s";
      title.textContent = "Stage " + s.number + " · " + s.status;
      var weight = document.createElement("div");
      weight.className = "w";
      weight.textContent = s.weight;
      var needs = document.createElement("div");
      needs.className = "s";
      needs.textContent = s.minJudgements + " scores per arm" + (s.requireApproval ? " · approval" : "")
        + (s.started ? " · started " + s.started : "");
      li.appendChild(title);
      li.appendChild(weight);
      li.appendChild(needs);
      ol.appendChild(li);
    });
  }

  function verdictCells(v) {
    return [{text: v.gate}, {text: v.decision, badge: v.decisionClass}, {text: v.canaryN, cls: "num"},
            {text: v.stableN, cls: "num"}, {text: v.estimate, cls: "num"}, {text: v.bounds, cls: "num"},
            {text: v.threshold, cls: "num"}, {text: v.reason, cls: "wrap"}];
  }

  function evalReport(e) {
    var box = $("eval");
    box.textContent = "";
    if (!e) {
      var none = document.createElement("p");
      none.className = "muted";
      none.textContent = "No offline eval for this rollout.";
      box.appendChild(none);
      return;
    }
    var p = document.createElement("p");
    p.textContent = "Suite " + e.suite + ": " + e.state + (e.reason ? " — " + e.reason : "") + " (" + e.cases + " cases) ";
    var link = document.createElement("a");
    link.href = e.href;
    link.textContent = "full report (JSON)";
    p.appendChild(link);
    box.appendChild(p);
    var table = document.createElement("table");
    table.className = "eval";
    table.innerHTML = "<thead><tr><th>Arm</th><th>Version</th><th>Passed</th><th>Mean judge score</th></tr></thead><tbody id=\"eval-rows\"></tbody>";
    box.appendChild(table);
    fillRows("eval-rows", e.arms, function (a) {
      return [{text: a.arm}, {text: a.version}, {text: a.passed, cls: "num"}, {text: a.meanJudgeScore, cls: "num"}];
    });
  }

  function controls(actions) {
    var form = document.querySelector("form.controls");
    if (!form) { return; }
    form.hidden = actions.length === 0;
    var buttons = form.querySelector(".buttons");
    var current = Array.prototype.map.call(buttons.querySelectorAll("button"), function (b) { return b.dataset.action; });
    if (current.join() === actions.join()) { return; }
    buttons.textContent = "";
    actions.forEach(function (action) {
      var b = document.createElement("button");
      b.dataset.action = action;
      b.textContent = LABELS[action] || action;
      buttons.appendChild(b);
    });
  }

  function render(d) {
    var r = d.rollout;
    var badge = $("state-badge");
    badge.textContent = r.state;
    badge.className = "badge " + r.stateClass;
    root.dataset.state = r.state;
    text("fact-stage", r.stage);
    text("fact-weight", r.weight);
    text("fact-age", r.age);
    text("fact-updated", r.updated);
    text("fact-reason", r.reason);
    text("paused-because", d.pausedBecause);
    shown("paused-label", !!d.pausedBecause);
    shown("paused-because", !!d.pausedBecause);
    text("live-unavailable", d.liveUnavailable ? d.liveUnavailable + "; showing the last checkpoint." : "");
    shown("live-unavailable", !!d.liveUnavailable);
    stages(d.stages);
    weightChart(d.weight);
    samplesChart(d.samples);
    gateCharts(d.gates);
    fillRows("verdict-rows", d.verdicts, verdictCells);
    shown("no-verdicts", d.verdicts.length === 0);
    fillRows("ledger-rows", d.ledger, function (l) {
      return [{text: l.at, cls: "time"}, {text: l.stage, cls: "num"}].concat(verdictCells(l));
    });
    text("ledger-note", "Every verdict of every look, newest first, from the Temporal history: " + d.ledgerTotal
      + (d.ledgerTotal > d.ledger.length ? " (the newest " + d.ledger.length + " shown)." : "."));
    fillRows("timeline-rows", d.timeline, function (t) {
      return [{text: t.at, cls: "time"}, {text: t.event}, {text: t.detail, cls: "wrap"}];
    });
    evalReport(d.eval);
    fillRows("audit-rows", d.audit, function (a) {
      return [{text: a.at, cls: "time"}, {text: a.actor}, {text: a.role}, {text: a.action},
              {text: a.reason, cls: "wrap"}, {text: a.change, cls: "wrap"}];
    });
    var h = d.history;
    text("history-note", h.error ? h.error
      : "Read through the Temporal SDK (GetWorkflowExecutionHistory): " + h.runs + " run(s), " + h.events
        + " events" + (h.truncated ? " (older runs not read)" : "") + "; the newest " + h.newest.length + " listed.");
    fillRows("history-rows", h.newest, function (e) {
      return [{text: e.run.substring(0, 8)}, {text: e.id, cls: "num"}, {text: e.at, cls: "time"},
              {text: e.type}, {text: e.detail, cls: "wrap"}];
    });
    controls(d.actions);
  }

  function poll() {
    clearTimeout(timer);
    fetch(url, {headers: headers()})
      .then(function (r) {
        return r.json().then(function (body) {
          if (!r.ok) { throw new Error(body.message || ("HTTP " + r.status)); }
          return body;
        });
      })
      .then(function (d) {
        render(d);
        text("live-status", d.running ? "live · updated " + new Date().toLocaleTimeString() : "ended");
        if (d.running) { timer = setTimeout(poll, POLL_MS); }
      })
      .catch(function (e) {
        text("live-status", "not updated: " + e.message);
        timer = setTimeout(poll, POLL_MS * 3);
      });
  }

  var form = document.querySelector("form.controls");
  if (form) {
    form.addEventListener("submit", function (e) { e.preventDefault(); });
    form.addEventListener("click", function (e) {
      var button = e.target.closest("button[data-action]");
      if (!button) { return; }
      e.preventDefault();
      var result = form.querySelector(".result");
      var reason = form.elements.reason.value.trim();
      if (!reason) {
        result.textContent = "a reason is required (it goes in the audit log)";
        form.elements.reason.focus();
        return;
      }
      var action = button.dataset.action;
      result.textContent = "sending " + action + "…";
      var h = headers();
      h["Content-Type"] = "application/json";
      fetch("/v1/rollouts/" + encodeURIComponent(id) + "/" + action,
            {method: "POST", headers: h, body: JSON.stringify({reason: reason})})
        .then(function (r) { return r.json().then(function (body) { return [r.status, body]; }); })
        .then(function (answer) {
          var body = answer[1];
          result.textContent = answer[0] < 300
            ? action + ": " + (body.state || body.message || "done")
            : answer[0] + ": " + body.message;
          if (answer[0] < 300) { form.elements.reason.value = ""; poll(); }
        })
        .catch(function (err) { result.textContent = String(err); });
    });
  }
  poll();
})();
