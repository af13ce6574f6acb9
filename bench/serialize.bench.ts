// Serialization: from registry collection to the gzip body the wire carries, per point,
// for 1k / 10k / 100k counter series with 2–3 tags, beside prom-client's text exposition
// and OpenTelemetry's collect + OTLP/JSON. Every library's body is gzipped by the same
// CompressionStream, as our client does.
import { MeterProvider, MetricReader } from "@opentelemetry/sdk-metrics";
import { JsonMetricsSerializer } from "@opentelemetry/otlp-transformer";
import prom from "prom-client";
import { Apptuit, MetricsRegistry } from "../src/index";
import { gzip } from "../src/core/gzip";
import { chunk } from "../src/core/batch";
import { encodeCompact } from "../src/relay/index";
import { cutBody } from "../src/core/body-cutter";
import { compactBody } from "../src/platforms/browser/body-writer";
import { finish, int, median, num, ratio, table, type Goal } from "./lib/result";

const started = Date.now();
const SIZES = [1_000, 10_000, 100_000];
const NAMES = 10;
const METHODS = ["GET", "POST", "PUT", "DELETE"];
const STATUSES = ["200", "201", "204", "404", "500"];

/** Series i: metric `app.requests_<i % 10>`, tags route (unique per name), method, and status on two thirds. */
function seriesTags(i: number): Record<string, string> {
  const tags: Record<string, string> = { route: `/api/v1/items/${Math.floor(i / NAMES)}`, method: METHODS[i & 3]! };
  if (i % 3 !== 0) tags.status = STATUSES[i % 5]!;
  return tags;
}

class ManualReader extends MetricReader {
  constructor() {
    super({ cardinalitySelector: () => 10_000_000 }); // OTel's default folds series past 2000
  }
  protected override async onShutdown(): Promise<void> {}
  protected override async onForceFlush(): Promise<void> {}
}

interface Sample {
  ms: number;
  stages?: Record<string, number>;
  raw: number;
  gzip: number;
}

/** Runs `once` until ≥ 5 samples and ≥ 1.5 s (at most 40), after one warm-up; medians. */
async function measure(once: () => Promise<Sample>): Promise<Sample> {
  await once();
  const samples: Sample[] = [];
  const t0 = performance.now();
  while (samples.length < 40 && (samples.length < 5 || performance.now() - t0 < 1_500)) samples.push(await once());
  const stages: Record<string, number> = {};
  for (const key of Object.keys(samples[0]!.stages ?? {})) stages[key] = median(samples.map((s) => s.stages![key]!));
  return { ms: median(samples.map((s) => s.ms)), stages, raw: samples[0]!.raw, gzip: samples[0]!.gzip };
}

const client = new Apptuit({ token: "bench-token", endpoint: "http://127.0.0.1:9" });
const now = Date.now();

async function ours(n: number): Promise<{ wire: Sample; compact: Sample; pageBodies: Sample }> {
  const registry = new MetricsRegistry({ maxSeries: n + 10 });
  for (let i = 0; i < n; i++) registry.counter(`app.requests_${i % NAMES}`, seriesTags(i)).inc(i + 1);
  let prepared: ReturnType<Apptuit["prepare"]> = [];
  const wire = await measure(async () => {
    const t0 = performance.now();
    const collected = registry.collect({ now, temporality: "cumulative" });
    const t1 = performance.now();
    // What the reporter does between collect and send: stamp, then the client's prepare.
    const points = collected.map((p) => ({ metric: p.metric, tags: p.tags, timestamp: now / 1000, value: p.value }));
    prepared = client.prepare(points);
    const t2 = performance.now();
    const bodies = chunk(prepared).map((batch) => JSON.stringify(batch));
    const t3 = performance.now();
    let gz = 0;
    for (const body of bodies) gz += (await gzip(body))!.byteLength;
    const t4 = performance.now();
    const raw = bodies.reduce((s, b) => s + Buffer.byteLength(b), 0);
    return { ms: t4 - t0, stages: { collect: t1 - t0, prepare: t2 - t1, stringify: t3 - t2, gzip: t4 - t3 }, raw, gzip: gz };
  });
  const compact = await measure(async () => {
    const t0 = performance.now();
    const text = encodeCompact(prepared);
    const t1 = performance.now();
    const gz = (await gzip(text))!.byteLength;
    return { ms: performance.now() - t0, stages: { encode: t1 - t0 }, raw: Buffer.byteLength(text), gzip: gz };
  });
  // Relay mode in a page: the same points cut in one pass into compact bodies of ≤ 64 KiB and
  // ≤ 5,000 points (RelaySender's and the page-hide flush's CompactWriter), no gzip.
  const pageBodies = await measure(async () => {
    const t0 = performance.now();
    let raw = 0;
    let bodies = 0;
    for (let offset = 0; offset < prepared.length; ) {
      const writer = compactBody();
      offset = cutBody(prepared, offset, Math.min(prepared.length, offset + 5_000), 65_536, writer);
      writer.finish();
      raw += writer.bytes;
      bodies++;
    }
    return { ms: performance.now() - t0, stages: { bodies }, raw, gzip: Number.NaN };
  });
  return { wire, compact, pageBodies };
}

async function promClient(n: number): Promise<Sample> {
  const registry = new prom.Registry();
  const counters = Array.from(
    { length: NAMES },
    (_, k) =>
      new prom.Counter({ name: `app_requests_${k}`, help: "requests", labelNames: ["route", "method", "status"], registers: [registry] }),
  );
  for (let i = 0; i < n; i++) counters[i % NAMES]!.inc(seriesTags(i), i + 1);
  return measure(async () => {
    const t0 = performance.now();
    const text = await registry.metrics();
    const t1 = performance.now();
    const gz = (await gzip(text))!.byteLength;
    return { ms: performance.now() - t0, stages: { metrics: t1 - t0 }, raw: Buffer.byteLength(text), gzip: gz };
  });
}

async function otel(n: number): Promise<Sample> {
  const reader = new ManualReader();
  const meter = new MeterProvider({ readers: [reader] }).getMeter("bench");
  const counters = Array.from({ length: NAMES }, (_, k) => meter.createCounter(`app.requests_${k}`));
  for (let i = 0; i < n; i++) counters[i % NAMES]!.add(i + 1, seriesTags(i));
  return measure(async () => {
    const t0 = performance.now();
    const { resourceMetrics } = await reader.collect();
    const t1 = performance.now();
    const body = JsonMetricsSerializer.serializeRequest(resourceMetrics)!;
    const t2 = performance.now();
    const gz = (await gzip(new TextDecoder().decode(body)))!.byteLength;
    return { ms: performance.now() - t0, stages: { collect: t1 - t0, serialize: t2 - t1 }, raw: body.byteLength, gzip: gz };
  });
}

interface Row {
  n: number;
  wire: Sample;
  compact: Sample;
  pageBodies: Sample;
  prom: Sample;
  otel: Sample;
}
const rows: Row[] = [];
for (const n of SIZES) {
  const { wire, compact, pageBodies } = await ours(n);
  const p = await promClient(n);
  const o = await otel(n);
  rows.push({ n, wire, compact, pageBodies, prom: p, otel: o });
  console.log(`serialize ${n}: ours ${num(wire.ms)} ms, prom ${num(p.ms)} ms, otel ${num(o.ms)} ms`);
}

// --- report ---------------------------------------------------------------------------
const nsPer = (s: Sample, n: number) => (s.ms * 1e6) / n;
const pps = (s: Sample, n: number) => n / (s.ms / 1000);
let md = "## Serialization\n\n";
md +=
  `Counters in ${NAMES} metric names with 2–3 tags each (\`route\` distinct, \`method\`, and \`status\` on two ` +
  "series in three), one point per series. **Ours**: `registry.collect()` → the reporter's stamping → " +
  "`client.prepare()` (validation, tag merge, sanitizing) → `JSON.stringify` per 50,000-point batch → " +
  "gzip with `CompressionStream` (the body `POST /api/put` carries). **prom-client**: `registry.metrics()` " +
  "(text exposition). **OpenTelemetry**: `reader.collect()` → `JsonMetricsSerializer` (the OTLP/HTTP JSON " +
  "body). Every body is gzipped by the same `CompressionStream`. Beside them, ours for a page in relay mode: the " +
  "prepared points as one `encodeCompact` text (+ gzip), and as the page really cuts them — one pass of `CompactWriter` " +
  "into bodies of ≤ 64 KiB and ≤ 5,000 points (sent as `text/plain`, no gzip). Medians of ≥ 5 runs after a warm-up; Node " +
  `${process.version}.\n\n`;
md += "### Time from registry to gzip body\n\n";
md += table(
  ["series", "library", "ms", "points/s", "ns/point", "× apptuit (time)"],
  rows.flatMap((r) => [
    [int(r.n), "apptuit", num(r.wire.ms), int(pps(r.wire, r.n)), int(nsPer(r.wire, r.n)), "1.0×"],
    [int(r.n), "prom-client", num(r.prom.ms), int(pps(r.prom, r.n)), int(nsPer(r.prom, r.n)), ratio(r.prom.ms, r.wire.ms)],
    [int(r.n), "opentelemetry", num(r.otel.ms), int(pps(r.otel, r.n)), int(nsPer(r.otel, r.n)), ratio(r.otel.ms, r.wire.ms)],
  ]),
  ["r", "l", "r", "r", "r", "r"],
);
md += "\n\n### Where our time goes (ns per point, medians)\n\n";
md += table(
  [
    "series",
    "collect",
    "stamp + prepare",
    "JSON.stringify",
    "gzip",
    "total",
    "compact encode (relay format)",
    "compact ≤ 64 KiB bodies (page, CompactWriter)",
  ],
  rows.map((r) => {
    const s = r.wire.stages!;
    const per = (ms: number) => int((ms * 1e6) / r.n);
    return [
      int(r.n),
      per(s.collect!),
      per(s.prepare!),
      per(s.stringify!),
      per(s.gzip!),
      per(r.wire.ms),
      per(r.compact.stages!.encode!),
      `${per(r.pageBodies.ms)} (${int(r.pageBodies.stages!.bodies!)} ${r.pageBodies.stages!.bodies === 1 ? "body" : "bodies"})`,
    ];
  }),
  ["r", "r", "r", "r", "r", "r", "r", "r"],
);
const first = rows[0]!;
const last = rows[rows.length - 1]!;
const growth = (pick: (r: Row) => Sample) => nsPer(pick(last), last.n) / nsPer(pick(first), first.n);
md += "\n\n### Linearity: cost per point at 100k ÷ cost per point at 1k (1.0 = perfectly linear)\n\n";
md += table(
  ["library", "per-point 100k ÷ 1k"],
  [
    [
      "apptuit (to gzip body)",
      num(
        growth((r) => r.wire),
        2,
      ),
    ],
    [
      "apptuit compact encode + gzip",
      num(
        growth((r) => r.compact),
        2,
      ),
    ],
    [
      "apptuit compact ≤ 64 KiB bodies (page)",
      num(
        growth((r) => r.pageBodies),
        2,
      ),
    ],
    [
      "prom-client",
      num(
        growth((r) => r.prom),
        2,
      ),
    ],
    [
      "opentelemetry",
      num(
        growth((r) => r.otel),
        2,
      ),
    ],
  ],
  ["l", "r"],
);
md += "\n\n### Bytes per point\n\n";
md += table(
  ["series", "format", "raw B/pt", "gzip B/pt", "× OpenTSDB JSON gzip"],
  rows.flatMap((r) => {
    const base = r.wire.gzip / r.n;
    const line = (name: string, s: Sample) => [int(r.n), name, num(s.raw / r.n), num(s.gzip / r.n), ratio(s.gzip / r.n, base)];
    return [
      line("apptuit OpenTSDB JSON (`/api/put`)", r.wire),
      line("apptuit compact (browser → relay)", r.compact),
      line("prom-client text exposition", r.prom),
      line("OpenTelemetry OTLP/JSON", r.otel),
    ];
  }),
  ["r", "l", "r", "r", "r"],
);

const losses: string[] = [];
for (const r of rows) {
  if (r.prom.ms < r.wire.ms)
    losses.push(
      `Serialization: prom-client's text exposition is faster than our collect→gzip body at ${int(r.n)} series (${num(r.prom.ms)} ms vs ${num(r.wire.ms)} ms).`,
    );
  if (r.otel.ms < r.wire.ms)
    losses.push(
      `Serialization: OpenTelemetry collect+OTLP/JSON is faster than ours at ${int(r.n)} series (${num(r.otel.ms)} ms vs ${num(r.wire.ms)} ms).`,
    );
  if (r.prom.gzip < r.wire.gzip)
    losses.push(
      `Bytes: prom-client's gzip text is smaller per point than our OpenTSDB JSON gzip at ${int(r.n)} series (${num(r.prom.gzip / r.n)} vs ${num(r.wire.gzip / r.n)} B).`,
    );
}
const g = growth((r) => r.wire);
const goals: Goal[] = [{ goal: "serialization cost grows linearly (per-point 100k ÷ 1k ≤ 1.5)", result: num(g, 2), met: g <= 1.5 }];
finish({
  part: "serialize",
  title: "Serialization",
  startedAt: new Date(started).toISOString(),
  durationMs: Date.now() - started,
  markdown: md,
  losses,
  goals,
});
