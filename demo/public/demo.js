// The demo page: records interactions with the SDK loaded by the <script> tag
// (window.Apptuit) and charts them back from the backend every few seconds.

(async function demo() {
  const state = (window.__demo = { ready: false, refreshes: 0, tables: {}, charts: {}, errors: [], vitals: {} });
  const $ = (id) => document.getElementById(id);
  const config = await (await fetch("/demo-config.json")).json();
  $("target").textContent = config.label;
  if (config.queryLanguage === "promql") $("query-call").textContent = "client.promQuery(…).toTable()";
  $("flow-backend").textContent = {
    embedded: "The embedded in-memory backend on this server (token required).",
    apptuit: "Apptuit, at the endpoint given by APPTUIT_ENDPOINT.",
    "victoria-metrics": "VictoriaMetrics' OpenTSDB port; charts use PromQL (promQuery).",
  }[config.mode];

  // ---- Recording -------------------------------------------------------------------------
  // Page metrics go to the same-origin relay, which alone holds the token; deltas every 2 s.
  const { registry, reporter } = Apptuit.init({
    relayUrl: "/apptuit",
    interval: config.interval,
    tags: { app: "demo" },
    runtimeMetrics: true,
  });
  const work = registry.timer("demo.work");
  Object.assign(state, { registry, reporter });

  const log = (text) => ($("log").textContent = `${new Date().toLocaleTimeString()}  ${text}`);
  for (const button of document.querySelectorAll("button[data-button]")) {
    const clicks = registry.counter("demo.clicks", { button: button.dataset.button });
    button.addEventListener("click", () => {
      clicks.inc();
      if (!button.classList.contains("accent")) log(`demo.clicks{button:${button.dataset.button}} = ${clicks.count}`);
    });
  }

  $("run-work").addEventListener("click", async () => {
    // timer.time() measures until the returned promise settles: CPU-bound half the time
    // (a long task the main thread feels), waiting on a timer otherwise.
    const planned = 20 + Math.random() * 280;
    const cpu = Math.random() < 0.5;
    const t0 = performance.now();
    await work.time(async () => {
      if (cpu) {
        const until = performance.now() + planned;
        while (performance.now() < until) {
          // busy
        }
      } else {
        await new Promise((resolve) => setTimeout(resolve, planned));
      }
    });
    log(`demo.work: ${(performance.now() - t0).toFixed(0)} ms (${cpu ? "CPU-bound" : "async wait"}), ${work.count} runs`);
  });

  $("call-worker").addEventListener("click", async () => {
    const button = $("call-worker");
    button.disabled = true;
    try {
      const t0 = performance.now();
      const response = await fetch("/worker/api/quote");
      const body = await response.json();
      const took = (performance.now() - t0).toFixed(0);
      log(
        response.ok
          ? `GET /worker/api/quote → ${response.status} ${body.symbol} ${body.price} (${took} ms)`
          : `GET /worker/api/quote → ${response.status} ${body.error} (${took} ms)`,
      );
    } catch (error) {
      log(`GET /worker/api/quote failed: ${error.message}`);
    } finally {
      button.disabled = false;
    }
  });
  // Background traffic, so the Worker's charts move even when nobody clicks.
  const poll = () => fetch("/worker/api/health").catch(() => {});
  poll();
  setInterval(poll, 5000);

  // ---- Charts ----------------------------------------------------------------------------
  // The charts' client holds a dummy token: /query/* is a read-only proxy that adds the real
  // one on the server (see demo/app.mjs).
  // The query client is not in the relay-mode page SDK (apptuit.iife.js): dashboards load
  // the direct-mode script tag, apptuit-direct.iife.js — here once recording has started (it
  // replaces window.Apptuit; the handle above, from apptuit.iife.js, keeps working).
  await new Promise((resolve, reject) => {
    const script = Object.assign(document.createElement("script"), { src: "/apptuit-direct.iife.js", onload: resolve, onerror: reject });
    document.head.append(script);
  });
  const client = new Apptuit.Apptuit({ token: "read-only-demo", endpoint: `${location.origin}/query` });
  state.client = client;
  const WINDOW = 180; // seconds shown at most
  const opened = Math.floor(Date.now() / 1000);
  const STEP = 5; // bucket width, seconds
  const byRoute = (c) => `${c.tags.route} ${c.tags.status}`;
  // Each chart: named queries in both languages; `plot` lists those drawn; `mask` names a
  // count query: a percentile of an interval with no events is reported as 0, so it is hidden.
  const CHARTS = [
    {
      id: "clicks",
      counts: true,
      el: "chart-clicks",
      queries: {
        clicks: {
          apptuit: `fetch('demo_clicks_count', {app: 'demo'}).downsample('${STEP}s', 'sum')`,
          promql: `sum by (button) (sum_over_time(demo_clicks_count{app="demo"}[${STEP}s]))`,
        },
      },
      label: (c) => c.tags.button,
      empty: "No clicks yet: press a button above.",
    },
    {
      id: "work",
      el: "chart-work",
      queries: {
        count: {
          apptuit: `fetch('demo_work_count', {app: 'demo'}).downsample('${STEP}s', 'sum')`,
          promql: `sum(sum_over_time(demo_work_count{app="demo"}[${STEP}s]))`,
        },
        p50: {
          apptuit: `fetch('demo_work_50_percentile', {app: 'demo'}).downsample('${STEP}s', 'max')`,
          promql: `max(max_over_time(demo_work_50_percentile{app="demo"}[${STEP}s]))`,
        },
        p95: {
          apptuit: `fetch('demo_work_95_percentile', {app: 'demo'}).downsample('${STEP}s', 'max')`,
          promql: `max(max_over_time(demo_work_95_percentile{app="demo"}[${STEP}s]))`,
        },
        max: {
          apptuit: `fetch('demo_work_max', {app: 'demo'}).downsample('${STEP}s', 'max')`,
          promql: `max(max_over_time(demo_work_max{app="demo"}[${STEP}s]))`,
        },
      },
      plot: ["p50", "p95", "max"],
      mask: "count",
      label: (_c, id) => id,
      empty: "No work timed yet: press “Run simulated work”.",
    },
    {
      id: "workerRequests",
      counts: true,
      el: "chart-worker-requests",
      queries: {
        requests: {
          apptuit: `fetch('http_server_requests_count', {service: 'demo-worker'}).downsample('${STEP}s', 'sum')`,
          promql: `sum by (route, status) (sum_over_time(http_server_requests_count{service="demo-worker"}[${STEP}s]))`,
        },
      },
      label: byRoute,
      empty: "Waiting for the Worker's first flush…",
    },
    {
      id: "workerLatency",
      el: "chart-worker-latency",
      queries: {
        count: {
          apptuit: `fetch('http_server_latency_count', {service: 'demo-worker'}).downsample('${STEP}s', 'sum')`,
          promql: `sum by (route, status) (sum_over_time(http_server_latency_count{service="demo-worker"}[${STEP}s]))`,
        },
        p95: {
          apptuit: `fetch('http_server_latency_95_percentile', {service: 'demo-worker'}).downsample('${STEP}s', 'max')`,
          promql: `max by (route, status) (max_over_time(http_server_latency_95_percentile{service="demo-worker"}[${STEP}s]))`,
        },
      },
      plot: ["p95"],
      mask: "count",
      label: byRoute,
      empty: "Waiting for the Worker's first flush…",
    },
  ];

  /** Runs a chart's queries over [start, end] → { id: Table }. */
  async function load(chart, start, end) {
    const ids = Object.keys(chart.queries);
    if (config.queryLanguage === "promql") {
      const outputs = await Promise.all(ids.map((id) => client.promQuery(chart.queries[id].promql, { start, end, step: STEP })));
      return Object.fromEntries(ids.map((id, i) => [id, outputs[i].toTable()]));
    }
    // One request: named statements, `output(...)` lists them; result.get(id).toTable().
    const q =
      ids.length === 1
        ? chart.queries[ids[0]].apptuit
        : `${ids.map((id) => `${id} = ${chart.queries[id].apptuit}`).join("; ")}; output(${ids.join(", ")})`;
    const result = await client.query(q, { start, end });
    return Object.fromEntries(ids.map((id, _i) => [id, (ids.length === 1 ? result.at(0) : result.get(id))?.toTable() ?? EMPTY]));
  }
  const EMPTY = { timestamps: [], columns: [], toUPlot: () => [[]] };

  /** Tables → uPlot data and labels. One table unmasked: its own toUPlot(). */
  function plotData(chart, tables) {
    const plot = chart.plot ?? Object.keys(chart.queries);
    if (plot.length === 1 && !chart.mask) {
      const table = tables[plot[0]];
      return { data: table.toUPlot(), labels: table.columns.map((c) => chart.label(c, plot[0])) };
    }
    const times = [...new Set(plot.flatMap((id) => tables[id].timestamps))].sort((a, b) => a - b);
    const counts = chart.mask ? tables[chart.mask] : undefined;
    const data = [times];
    const labels = [];
    for (const id of plot) {
      const table = tables[id];
      const at = new Map(table.timestamps.map((t, i) => [t, i]));
      for (const column of table.columns) {
        const countColumn = counts?.columns.find((c) => sameTags(c.tags, column.tags)) ?? counts?.columns[0];
        const countAt = counts ? new Map(counts.timestamps.map((t, i) => [t, countColumn?.values[i] ?? 0])) : undefined;
        data.push(times.map((t) => (at.has(t) && (!countAt || countAt.get(t) > 0) ? column.values[at.get(t)] : null)));
        labels.push(chart.label(column, id));
      }
    }
    return { data, labels };
  }

  const COLORS = ["#4f46e5", "#0ea5e9", "#f59e0b", "#10b981", "#ef4444", "#8b5cf6", "#64748b", "#ec4899"];
  const view = { start: 0, end: 0 };
  const steps = uPlot.paths.stepped({ align: 1 });

  function draw(chart, { data, labels }) {
    const el = $(chart.el);
    const hasData = labels.length > 0 && data.slice(1).some((values) => values.some((v) => v !== null));
    let u = state.charts[chart.id];
    const key = labels.join("\u0000");
    if (u && u.__key !== key) {
      u.destroy();
      u = undefined;
    }
    el.querySelector(".empty")?.remove();
    if (!hasData) {
      if (u) u.destroy();
      delete state.charts[chart.id];
      el.insertAdjacentHTML("beforeend", `<div class="empty">${chart.empty}</div>`);
      return;
    }
    if (!u) {
      u = new uPlot(
        {
          width: el.clientWidth,
          height: 220,
          legend: { live: false },
          padding: [10, 34, 0, 0],
          cursor: { points: { size: 6 } },
          scales: { x: { time: true, range: () => [view.start, view.end] }, y: { range: (_, _min, max) => [0, max > 0 ? max * 1.15 : 1] } },
          axes: [
            {
              stroke: "#64748b",
              grid: { stroke: "#eef1f6" },
              ticks: { stroke: "#e3e8f0" },
              space: 80,
              values: (_, splits) => splits.map(clock),
            },
            { stroke: "#64748b", grid: { stroke: "#eef1f6" }, ticks: { stroke: "#e3e8f0" }, size: 48 },
          ],
          // Counts per bucket as steps; latencies as lines with a dot per bucket that had events.
          series: [
            {},
            ...labels.map((label, i) => ({
              label,
              stroke: COLORS[i % COLORS.length],
              width: 2,
              spanGaps: false,
              ...(chart.counts ? { paths: steps, points: { show: false } } : { points: { show: true, size: 5 } }),
            })),
          ],
        },
        data,
        el,
      );
      u.__key = key;
      state.charts[chart.id] = u;
    } else {
      u.setData(data);
    }
  }

  addEventListener("resize", () => {
    for (const chart of CHARTS) state.charts[chart.id]?.setSize({ width: $(chart.el).clientWidth, height: 220 });
  });

  // ---- Runtime metrics: read back from the backend, not from the page's memory -----------
  // `runtimeMetrics: true` records each Web Vital as a histogram (delta: one interval's
  // values), so a tile shows the max of the latest interval whose count is above zero.
  const TILES = [
    { key: "LCP", metric: "browser_web_vitals_lcp", kind: "vital", unit: "ms", good: 2500, poor: 4000, help: "largest contentful paint" },
    { key: "FCP", metric: "browser_web_vitals_fcp", kind: "vital", unit: "ms", good: 1800, poor: 3000, help: "first contentful paint" },
    { key: "TTFB", metric: "browser_web_vitals_ttfb", kind: "vital", unit: "ms", good: 800, poor: 1800, help: "time to first byte" },
    { key: "INP", metric: "browser_web_vitals_inp", kind: "vital", unit: "ms", good: 200, poor: 500, help: "interaction to next paint" },
    { key: "CLS", metric: "browser_web_vitals_cls", kind: "vital", unit: "", good: 0.1, poor: 0.25, help: "cumulative layout shift" },
    { key: "Long tasks", metric: "browser_long_tasks_count", kind: "sum", unit: "", help: "main thread busy > 50 ms, last 3 min" },
    { key: "JS heap", metric: "browser_memory_js_heap_used_bytes_value", kind: "last", unit: "MB", help: "used (Chromium only)" },
  ];
  const sel = (metric) => `${metric}{app="demo"}`;
  const TILE_QUERIES = {};
  TILES.forEach(({ metric, kind }, i) => {
    if (kind === "vital") {
      TILE_QUERIES[`v${i}`] = {
        apptuit: `fetch('${metric}_max', {app: 'demo'}).downsample('${STEP}s', 'max')`,
        promql: `max(max_over_time(${sel(`${metric}_max`)}[${STEP}s]))`,
      };
      TILE_QUERIES[`n${i}`] = {
        apptuit: `fetch('${metric}_count', {app: 'demo'}).downsample('${STEP}s', 'sum')`,
        promql: `sum(sum_over_time(${sel(`${metric}_count`)}[${STEP}s]))`,
      };
    } else {
      const agg = kind === "sum" ? "sum" : "max";
      TILE_QUERIES[`v${i}`] = {
        apptuit: `fetch('${metric}', {app: 'demo'}).downsample('${STEP}s', '${agg}')`,
        promql: `${agg}(${agg}_over_time(${sel(metric)}[${STEP}s]))`,
      };
    }
  });

  async function loadTiles(start, end) {
    const tables = await load({ queries: TILE_QUERIES }, start, end);
    const values = {};
    TILES.forEach(({ key, kind }, i) => {
      const table = tables[`v${i}`];
      const counts = tables[`n${i}`];
      if (kind === "sum") {
        if (table.columns.length > 0) values[key] = table.columns.reduce((s, c) => s + c.values.reduce((t, v) => t + (v ?? 0), 0), 0);
        return;
      }
      // Latest bucket with a value (for a vital: with a count above zero).
      const ok = new Set(counts ? counts.timestamps.filter((_, j) => counts.columns.some((c) => c.values[j] > 0)) : table.timestamps);
      for (let j = table.timestamps.length - 1; j >= 0; j--) {
        const v = Math.max(...table.columns.map((c) => c.values[j] ?? -Infinity));
        if (ok.has(table.timestamps[j]) && v > -Infinity) {
          values[key] = v;
          break;
        }
      }
    });
    return values;
  }

  function drawTiles(values) {
    $("vitals").innerHTML = TILES.map(({ key, unit, good, poor, help }) => {
      const value = values[key];
      const grade = value === undefined || good === undefined ? "" : value <= good ? "good" : value <= poor ? "warn" : "poor";
      let shown = "—";
      if (value !== undefined) {
        if (unit === "ms") shown = `${Math.round(value)}<small>ms</small>`;
        else if (unit === "MB") shown = `${(value / 2 ** 20).toFixed(1)}<small>MB</small>`;
        else shown = key === "CLS" ? value.toFixed(3) : String(Math.round(value));
      }
      return `<div class="tile ${grade}"><div class="k">${key}</div><div class="v">${shown}</div><div class="d">${help}</div></div>`;
    }).join("");
  }
  drawTiles({});

  // ---- Refresh loop ------------------------------------------------------------------------
  async function refresh() {
    const end = Math.ceil(Date.now() / 1000);
    // The window grows from just before the page opened up to WINDOW, so a fresh page
    // is not an empty chart with a sliver of data at its right edge.
    const start = Math.floor(Math.max(end - WINDOW, opened - 10) / STEP) * STEP;
    Object.assign(view, { start, end });
    try {
      await Promise.all([
        ...CHARTS.map(async (chart) => {
          const tables = await load(chart, start, end);
          state.tables[chart.id] = tables[(chart.plot ?? Object.keys(chart.queries))[0]];
          draw(chart, plotData(chart, tables));
        }),
        // Tiles look back the whole window: a reload shows the INP and CLS the last page
        // reported when it was hidden.
        loadTiles(Math.floor((end - WINDOW) / STEP) * STEP, end).then((values) => {
          state.vitals = values;
          drawTiles(values);
        }),
      ]);
      state.refreshes++;
      status(true, `reporting every ${config.interval / 1000} s · charts refreshed ${new Date().toLocaleTimeString()}`);
    } catch (error) {
      state.errors.push(String(error?.message ?? error));
      status(false, `query failed: ${error?.name ?? "Error"}: ${error?.message ?? error}`);
    }
    state.ready = true;
  }
  function status(ok, text) {
    $("status-dot").className = `dot ${ok ? "ok" : "err"}`;
    $("status-text").textContent = text;
  }
  function clock(seconds) {
    return new Date(seconds * 1000).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit", second: "2-digit", hour12: false });
  }
  function sameTags(a, b) {
    const ka = Object.keys(a);
    return ka.length === Object.keys(b).length && ka.every((k) => a[k] === b[k]);
  }

  await refresh();
  setInterval(refresh, 2500);
})().catch((error) => {
  (window.__demo ??= { errors: [] }).errors.push(String(error?.message ?? error));
  document.getElementById("status-text").textContent = `demo failed to start: ${error?.message ?? error}`;
  document.getElementById("status-dot").className = "dot err";
  console.error(error);
});
