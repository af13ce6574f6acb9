// Hot-path cost and memory of the apptuit registry beside prom-client,
// @opentelemetry/sdk-metrics and measured-core, in one process. Run with `node bench/run.mjs`
// (it bundles this file and starts Node with --expose-gc). An optional argument filters
// the timing groups by name (a regular expression).
import { MeterProvider, MetricReader } from "@opentelemetry/sdk-metrics";
import measured from "measured-core";
import { bench, do_not_optimize, group, run } from "mitata";
import prom from "prom-client";
import { MetricsRegistry } from "../src/registry";
import { mulberry32 } from "../test/support/random";
import { finish, table } from "./lib/result";

/**
 * OTel needs a reader for instruments to record anything; this one never exports, and
 * lifts OTel's default limit of 2000 series per instrument so the memory figures hold
 * 10 000 real series (past the limit OTel folds new ones into one overflow series).
 */
class ManualReader extends MetricReader {
  constructor() {
    super({ cardinalitySelector: () => 1_000_000 });
  }

  protected override async onShutdown(): Promise<void> {}
  protected override async onForceFlush(): Promise<void> {}
}

// --- inputs -------------------------------------------------------------------------
const rand = mulberry32(42);
const gauss = (): number => Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
/** Latency-like values in ms: log-normal around 50 ms. */
const VALUES = Float64Array.from({ length: 4096 }, () => Math.exp(Math.log(50) + 0.75 * gauss()));
const METHODS = ["GET", "POST", "PUT", "DELETE"];
const STATUSES = ["200", "201", "204", "404", "500"];
const PAIRS = Array.from({ length: 16 }, (_, i) => [METHODS[i & 3]!, STATUSES[i % 5]!] as const);

// --- subjects -----------------------------------------------------------------------
const registry = new MetricsRegistry();
const ours = {
  counter: registry.counter("c"),
  meter: registry.meter("m"),
  histogram: registry.histogram("h"),
  timer: registry.timer("t"),
};
const otel = new MeterProvider({ readers: [new ManualReader()] }).getMeter("bench");
const otelCounter = otel.createCounter("c");
const otelHistogram = otel.createHistogram("h");
const otelLabelled = otel.createCounter("requests");
const promCounter = new prom.Counter({ name: "c", help: "c", registers: [] });
const promHistogram = new prom.Histogram({ name: "h", help: "h", registers: [] });
const promLabelled = new prom.Counter({ name: "requests", help: "r", labelNames: ["method", "status"], registers: [] });
const mc = {
  counter: new measured.Counter(),
  meter: new measured.Meter(),
  histogram: new measured.Histogram(),
  timer: new measured.Timer(),
};

let i = 0;
const cases: Record<string, Record<string, () => void>> = {
  "counter.inc (kept handle)": {
    apptuit: () => ours.counter.inc(),
    "prom-client": () => promCounter.inc(),
    opentelemetry: () => otelCounter.add(1),
    "measured-core": () => mc.counter.inc(),
  },
  "meter.mark": {
    apptuit: () => ours.meter.mark(),
    "measured-core": () => mc.meter.mark(),
  },
  "histogram.update": {
    apptuit: () => ours.histogram.update(VALUES[i++ & 4095]!),
    "prom-client": () => promHistogram.observe(VALUES[i++ & 4095]!),
    opentelemetry: () => otelHistogram.record(VALUES[i++ & 4095]!),
    "measured-core": () => mc.histogram.update(VALUES[i++ & 4095]!),
  },
  "timer.update": {
    apptuit: () => ours.timer.update(VALUES[i++ & 4095]!),
    "prom-client": () => promHistogram.observe(VALUES[i++ & 4095]!),
    opentelemetry: () => otelHistogram.record(VALUES[i++ & 4095]!),
    "measured-core": () => mc.timer.update(VALUES[i++ & 4095]!),
  },
  "lookup 2 tags + inc": {
    apptuit: () => {
      const p = PAIRS[i++ & 15]!;
      registry.counter("requests", { method: p[0], status: p[1] }).inc();
    },
    "prom-client": () => {
      const p = PAIRS[i++ & 15]!;
      promLabelled.labels({ method: p[0], status: p[1] }).inc();
    },
    opentelemetry: () => {
      const p = PAIRS[i++ & 15]!;
      otelLabelled.add(1, { method: p[0], status: p[1] });
    },
  },
};

const started = Date.now();
const filter = new RegExp(process.env.BENCH_FILTER ?? (process.argv[2]?.startsWith("--") ? undefined : process.argv[2]) ?? ".*");
for (const [name, libs] of Object.entries(cases)) {
  if (!filter.test(name)) continue;
  group(name, () => {
    for (const [lib, fn] of Object.entries(libs)) bench(`${name} | ${lib}`, fn);
  });
}

// --- memory -------------------------------------------------------------------------
const gc = (globalThis as { gc?: () => void }).gc;
const used = (): number => {
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers; // typed arrays above 64 B live outside the JS heap
};
/** Bytes retained per unit by what `build(n)` creates (kept alive until measured). */
function bytesPer(n: number, build: (n: number) => unknown): number {
  gc!();
  gc!();
  const before = used();
  const kept = build(n);
  gc!();
  gc!();
  const after = used();
  do_not_optimize(kept);
  return (after - before) / n;
}

const SERIES = 10_000;
const status = (k: number): string => String(100_000 + k); // a distinct value per series
const HISTOGRAMS = 1_000;
const UPDATES = 1_000;
const fill = (update: (v: number) => void): void => {
  for (let k = 0; k < UPDATES; k++) update(VALUES[k & 4095]!);
};

const memory: [string, string, number][] = [];
if (gc === undefined) {
  console.log("(memory figures skipped: run with --expose-gc, e.g. via node bench/run.mjs)");
} else {
  const label = "bytes per labelled counter series";
  memory.push([
    label,
    "apptuit",
    bytesPer(SERIES, (n) => {
      const r = new MetricsRegistry({ maxSeries: n + 1 });
      for (let k = 0; k < n; k++) r.counter("requests", { method: METHODS[k & 3]!, status: status(k) }).inc();
      return r;
    }),
  ]);
  memory.push([
    label,
    "prom-client",
    bytesPer(SERIES, (n) => {
      const c = new prom.Counter({ name: "requests", help: "r", labelNames: ["method", "status"], registers: [] });
      for (let k = 0; k < n; k++) c.labels({ method: METHODS[k & 3]!, status: status(k) }).inc();
      return c;
    }),
  ]);
  memory.push([
    label,
    "opentelemetry",
    bytesPer(SERIES, (n) => {
      const provider = new MeterProvider({ readers: [new ManualReader()] });
      const c = provider.getMeter("m").createCounter("requests");
      for (let k = 0; k < n; k++) c.add(1, { method: METHODS[k & 3]!, status: status(k) });
      return provider;
    }),
  ]);
  const hLabel = `bytes per histogram (${UPDATES} log-normal updates each)`;
  memory.push([
    hLabel,
    "apptuit",
    bytesPer(HISTOGRAMS, (n) => {
      const r = new MetricsRegistry({ maxSeries: n + 1 });
      for (let k = 0; k < n; k++) {
        const h = r.histogram("latency", { route: status(k) });
        fill((v) => h.update(v));
      }
      return r;
    }),
  ]);
  memory.push([
    hLabel,
    "prom-client",
    bytesPer(HISTOGRAMS, (n) => {
      const h = new prom.Histogram({ name: "latency", help: "l", labelNames: ["route"], registers: [] });
      for (let k = 0; k < n; k++) {
        const child = h.labels({ route: status(k) });
        fill((v) => child.observe(v));
      }
      return h;
    }),
  ]);
  memory.push([
    hLabel,
    "opentelemetry",
    bytesPer(HISTOGRAMS, (n) => {
      const provider = new MeterProvider({ readers: [new ManualReader()] });
      const h = provider.getMeter("m").createHistogram("latency");
      for (let k = 0; k < n; k++) {
        const attrs = { route: status(k) };
        fill((v) => h.record(v, attrs));
      }
      return provider;
    }),
  ]);
  memory.push([
    hLabel,
    "measured-core",
    bytesPer(HISTOGRAMS, (n) => {
      const all: unknown[] = [];
      for (let k = 0; k < n; k++) {
        const h = new measured.Histogram();
        fill((v) => h.update(v));
        all.push(h);
      }
      return all;
    }),
  ]);
}

// --- run and report -----------------------------------------------------------------
const { benchmarks } = await run({ format: "quiet" });
mc.meter.end();
mc.timer.end();

const rows = benchmarks.map((b) => {
  const [name, lib] = b.alias.split(" | ") as [string, string];
  return { name, lib, ns: b.runs[0]!.stats!.avg };
});
const fmt = (ns: number): string => (ns < 10 ? ns.toFixed(2) : ns.toFixed(1));
const baseNs = (name: string) => rows.find((x) => x.name === name && x.lib === "apptuit")?.ns;
let md = "## Hot path (registry)\n\n";
md +=
  "mitata averages in one process, Node " +
  process.version +
  ", prom-client, @opentelemetry/sdk-metrics (MeterProvider " +
  "with a non-exporting reader) and measured-core beside our `MetricsRegistry`. Kept handles unless stated; histogram " +
  "and timer updates draw from 4096 precomputed log-normal values (median 50); the lookup rotates 16 `{ method, status }` " +
  "pairs and builds the tag object in the loop for every library.\n\n";
md += table(
  ["operation", "library", "ns/op", "× apptuit"],
  rows.map((r) => {
    const base = baseNs(r.name);
    return [r.name, r.lib, fmt(r.ns), base === undefined ? "" : `${(r.ns / base).toFixed(1)}×`];
  }),
  ["l", "l", "r", "r"],
);
if (memory.length > 0) {
  md +=
    "\n\n`heapUsed + arrayBuffers` growth after forced GCs, per series: 10,000 labelled counter series, and 1,000 " +
    "histograms of 1,000 log-normal updates each (OTel's 2,000-series limit lifted).\n\n";
  md += table(
    ["memory", "library", "bytes", "× apptuit"],
    memory.map(([what, lib, bytes]) => {
      const base = memory.find((m) => m[0] === what && m[1] === "apptuit")![2];
      return [what, lib, Math.round(bytes), `${(bytes / base).toFixed(1)}×`];
    }),
    ["l", "l", "r", "r"],
  );
}
const losses: string[] = [];
for (const r of rows) {
  const base = baseNs(r.name);
  if (base !== undefined && r.lib !== "apptuit" && r.ns < base)
    losses.push(`Hot path: ${r.lib} is faster at ${r.name} (${fmt(r.ns)} vs ${fmt(base)} ns).`);
}
for (const [what, lib, bytes] of memory) {
  const base = memory.find((m) => m[0] === what && m[1] === "apptuit")![2];
  if (lib !== "apptuit" && bytes < base) losses.push(`Memory: ${lib} uses less ${what} (${Math.round(bytes)} vs ${Math.round(base)} B).`);
}
const ns = (name: string) => baseNs(name) ?? NaN;
const perSeries = memory.find((m) => m[1] === "apptuit" && m[0].includes("counter"))?.[2] ?? NaN;
const perHistogram = memory.find((m) => m[1] === "apptuit" && m[0].includes("histogram"))?.[2] ?? NaN;
const promInc = rows.find((r) => r.name === "counter.inc (kept handle)" && r.lib === "prom-client")?.ns ?? NaN;
finish({
  part: "hot",
  title: "Hot path",
  startedAt: new Date(started).toISOString(),
  durationMs: Date.now() - started,
  markdown: md,
  losses,
  goals: [
    {
      goal: "counter.inc ≤ prom-client's unlabelled inc()",
      result: `${fmt(ns("counter.inc (kept handle)"))} vs ${fmt(promInc)} ns`,
      met: ns("counter.inc (kept handle)") <= promInc,
    },
    { goal: "meter.mark ≤ 2 ns", result: `${fmt(ns("meter.mark"))} ns`, met: ns("meter.mark") <= 2 },
    {
      goal: "histogram.update, timer.update ≤ 25 ns",
      result: `${fmt(ns("histogram.update"))}, ${fmt(ns("timer.update"))} ns`,
      met: ns("histogram.update") <= 25 && ns("timer.update") <= 25,
    },
    { goal: "lookup with two tags + inc ≤ 60 ns", result: `${fmt(ns("lookup 2 tags + inc"))} ns`, met: ns("lookup 2 tags + inc") <= 60 },
    { goal: "≤ 200 B per labelled counter series", result: `${Math.round(perSeries)} B`, met: perSeries <= 200 },
    { goal: "≤ 2 KB per histogram", result: `${Math.round(perHistogram)} B`, met: perHistogram <= 2048 },
  ],
});
