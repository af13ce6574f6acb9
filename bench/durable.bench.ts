// Aggregation in Durable Objects, in workerd (miniflare, SQLite storage, alarms): how many
// beacons one ApptuitAggregator shard absorbs per second, and how the writes to the backend
// grow with the number of tabs, aggregated through 8 shards against pass-through. The Worker
// is bench/fixtures/durable-relay.js over dist/bundle/workers.js; the backend is the
// embedded one on 127.0.0.1, counting its writes.
import { resolve } from "node:path";
import { createBackend } from "../src/backend/index";
import { MetricsRegistry } from "../src/index";
import { compactBody } from "../src/platforms/browser/body-writer";
import { KeepaliveQuota } from "../src/platforms/browser/quota";
import { RelaySender } from "../src/platforms/browser/relay-sender";
import { serve } from "../test/harness/serve";
import { mulberry32 } from "../test/support/random";
import { finish, int, num, ROOT, table, type Goal } from "./lib/result";

const started = Date.now();
const TOKEN = "bench-durable";
const RELAY = "https://relay.example/apptuit";
/** Beacons in flight at once (more make Node's loopback client, not the Worker, fail). */
const CONCURRENCY = 50;
const THROUGHPUT_BEACONS = 2_000;
const TAB_COUNTS = [10, 100, 1_000];
const SHARDS = 8;
const WINDOW_MS = 5_000;
/** Long enough for 1,000 beacons to arrive before their window is written. */
const GRACE_MS = 30_000;

type MiniflareInstance = InstanceType<typeof import("miniflare").Miniflare>;

/** One beacon per tab, the page SDK's compact v2 deltas of 4 series (counter, meter, timer, gauge), stamped now. */
function beacons(tabs: number, seed: number): string[] {
  const random = mulberry32(seed);
  const sender = new RelaySender({
    url: "/apptuit",
    globalTags: { app: "tabs" },
    maxBodyBytes: 65_536,
    maxPoints: 5_000,
    timeout: 1_000,
    quota: new KeepaliveQuota(),
  });
  const now = Date.now() / 1000;
  return Array.from({ length: tabs }, () => {
    const registry = new MetricsRegistry();
    registry.counter("tabs.clicks", { button: "buy" }).inc(1 + Math.floor(random() * 5));
    registry.meter("tabs.views").mark(2);
    for (let k = 0; k < 3; k++) registry.timer("tabs.latency").update(Math.round(Math.exp(3 + 2.5 * random()) * 100) / 100);
    registry.gauge("tabs.cart_size").set(Math.floor(random() * 10));
    const writer = compactBody();
    for (const p of sender.prepare(registry.collect({ form: "deltas" }).map((p) => ({ ...p, timestamp: now })))) writer.tryAdd(p, 65_536);
    return writer.finish();
  });
}

const backend = createBackend({ token: TOKEN });
const server = await serve((request) => backend.fetch(request));
const { Miniflare } = await import("miniflare");

async function startRelay(shards: number, aggregate: boolean, graceMs: number): Promise<MiniflareInstance> {
  const mf = new Miniflare({
    modules: true,
    modulesRoot: ROOT,
    scriptPath: resolve(ROOT, "bench/fixtures/durable-relay.js"),
    modulesRules: [{ type: "ESModule", include: ["**/*.js"] }],
    compatibilityDate: "2025-09-01",
    durableObjects: { APPTUIT_AGGREGATOR: { className: "ApptuitAggregator", useSQLite: true } },
    bindings: {
      APPTUIT_API_TOKEN: TOKEN,
      APPTUIT_ENDPOINT: server.url,
      SHARDS: String(shards),
      WINDOW_MS: String(WINDOW_MS),
      GRACE_MS: String(graceMs),
      AGGREGATE: String(aggregate),
    },
  });
  await mf.ready;
  return mf;
}

/** Posts every body, `CONCURRENCY` at a time; resolves with the wall time, throws on any non-2xx. */
async function post(mf: MiniflareInstance, bodies: string[]): Promise<number> {
  const t0 = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      for (let i = next++; i < bodies.length; i = next++) {
        const response = await mf.dispatchFetch(RELAY, { method: "POST", headers: { "content-type": "text/plain" }, body: bodies[i]! });
        if (!response.ok) throw new Error(`relay answered ${response.status}: ${await response.text()}`);
        await response.arrayBuffer();
      }
    }),
  );
  return performance.now() - t0;
}

interface Stats {
  series: number;
  backlog: number;
  late: number;
}
const shardStats = async (mf: MiniflareInstance) => (await (await mf.dispatchFetch("https://relay.example/stats")).json()) as Stats[];

async function until(check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error("timed out waiting for the windows to be written");
    await new Promise((r) => setTimeout(r, 100));
  }
}

// --- one shard: beacons per second it takes (merge + SQLite save before each 2xx) -----------
const single = await startRelay(1, true, 600_000); // no alarm during the run
await post(single, beacons(200, 1)); // warm-up
const bodies = beacons(THROUGHPUT_BEACONS, 2);
const singleMs = await post(single, bodies);
const perSecond = (THROUGHPUT_BEACONS / singleMs) * 1000;
await single.dispose();

// --- writes to the backend per window against the number of tabs -------------------------
interface Row {
  tabs: number;
  mode: "aggregated" | "pass-through";
  writes: number;
  points: number;
  windows: number;
  late: number;
}
const rows: Row[] = [];
for (const aggregate of [true, false]) {
  const mf = await startRelay(SHARDS, aggregate, GRACE_MS);
  for (const tabs of TAB_COUNTS) {
    backend.reset();
    await post(mf, beacons(tabs, 10 + tabs));
    let late = 0;
    if (aggregate) {
      await until(
        async () => {
          const stats = await shardStats(mf);
          late = stats.reduce((n, s) => n + s.late, 0);
          return backend.points().some((p) => p.tags.app === "tabs") && stats.every((s) => s.series === 0 && s.backlog === 0);
        },
        WINDOW_MS + GRACE_MS + 60_000,
      );
    } else {
      await until(async () => backend.points().filter((p) => p.metric === "tabs_clicks_count").length >= tabs, 60_000);
    }
    const points = backend.points().filter((p) => p.tags.app === "tabs");
    const windows = new Set(points.map((p) => Math.floor((p.timestamp * 1000) / WINDOW_MS))).size;
    rows.push({
      tabs,
      mode: aggregate ? "aggregated" : "pass-through",
      writes: backend.stats().puts,
      points: backend.stats().pointsStored,
      windows,
      late,
    });
    console.log(
      `durable: ${tabs} tabs ${aggregate ? "aggregated" : "pass-through"}: ${backend.stats().puts} writes over ${windows} window(s)`,
    );
  }
  await mf.dispose();
}
await server.close();

const perWindow = (r: Row, n: number) => n / Math.max(1, r.windows);
/** Whole numbers as they are (3 writes, not 3.00). */
const count = (n: number) => (Number.isInteger(n) ? int(n) : num(n));
const agg1000 = rows.find((r) => r.tabs === 1_000 && r.mode === "aggregated")!;
const pass1000 = rows.find((r) => r.tabs === 1_000 && r.mode === "pass-through")!;
let md = `## Durable Objects: one shard's intake, and writes against tabs\n\n`;
md += `In workerd (miniflare, SQLite-backed \`ApptuitAggregator\` objects, alarms), the Worker relay \`createWorkersRelay\` (bench/fixtures/durable-relay.js, built bundle) takes compact v2 beacons of 4 series each (counter, meter, timer of 3 values, gauge) from the page SDK's sender, ${CONCURRENCY} in flight at once through \`dispatchFetch\`; the backend is the embedded one on 127.0.0.1. Everything, workerd included, shares this machine.\n\n`;
md += table(
  ["one shard", "beacons", "wall time", "beacons per second", "series merged and saved per second"],
  [["1 object (every series to it)", int(THROUGHPUT_BEACONS), `${num(singleMs / 1000)} s`, int(perSecond), int(perSecond * 4)]],
  ["l", "r", "r", "r", "r"],
);
md += `\n\nEach beacon costs the object one merge and one SQLite transaction before its 2xx; the relay, the object and the client all run in the same workerd and Node, so this is a floor for one object.\n\n`;
md += table(
  [
    "tabs (one beacon each)",
    `aggregated, ${SHARDS} shards: writes per window`,
    "aggregated: points per window",
    "pass-through: writes per window",
    "pass-through: points per window",
  ],
  TAB_COUNTS.map((tabs) => {
    const a = rows.find((r) => r.tabs === tabs && r.mode === "aggregated")!;
    const p = rows.find((r) => r.tabs === tabs && r.mode === "pass-through")!;
    return [
      int(tabs),
      `${count(perWindow(a, a.writes))}${a.late > 0 ? ` (${int(a.late)} late)` : ""}`,
      count(perWindow(a, a.points)),
      count(perWindow(p, p.writes)),
      count(perWindow(p, p.points)),
    ];
  }),
  ["r", "r", "r", "r", "r"],
);
md += `\n\nWindow ${WINDOW_MS / 1000} s, grace ${GRACE_MS / 1000} s. Aggregated, each shard writes once per window whatever the number of tabs (at most ${SHARDS} writes; here the tabs' 4 series fall on ${count(perWindow(agg1000, agg1000.writes))} of the ${SHARDS} shards), and the points are one per series and field plus each shard's meta points; pass-through writes every beacon, so writes and points grow with the tabs.`;

const goals: Goal[] = [
  { goal: "beacons per second one Durable Object shard absorbs (workerd, this machine)", result: int(perSecond), met: "info" },
  {
    goal: `aggregated writes per window flat in tabs (≤ ${SHARDS} at ${TAB_COUNTS.join(", ")} tabs)`,
    result: TAB_COUNTS.map((t) =>
      count(
        perWindow(
          rows.find((r) => r.tabs === t && r.mode === "aggregated")!,
          rows.find((r) => r.tabs === t && r.mode === "aggregated")!.writes,
        ),
      ),
    ).join(" / "),
    met: rows.filter((r) => r.mode === "aggregated").every((r) => perWindow(r, r.writes) <= SHARDS),
  },
  {
    goal: "pass-through writes per window at 1,000 tabs ÷ aggregated",
    result: `${num(perWindow(pass1000, pass1000.writes) / perWindow(agg1000, agg1000.writes), 3)}×`,
    met: "info",
  },
];
finish({
  part: "durable",
  title: "Durable Objects",
  startedAt: new Date(started).toISOString(),
  durationMs: Date.now() - started,
  markdown: md,
  losses: [],
  goals,
});
