// Aggregation in Durable Objects, in the real workerd (miniflare with Durable Objects,
// SQLite storage and alarms), configured from test/workers/durable/wrangler.jsonc — the
// deployment the README shows. The Worker relay (createWorkersRelay, built bundle) shards
// series over ApptuitAggregator objects, which write to the embedded backend on 127.0.0.1
// (and, in the first test, to VictoriaMetrics too).
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from "vitest";
import { createBackend, type StoredPoint } from "../../src/backend/index";
import { compactBody } from "../../src/platforms/browser/body-writer";
import type { ShardStats } from "../../src/platforms/workers/index";
import { serve, type Served } from "../harness/serve";
import { pyformancePercentile } from "../support/percentile";
import { openTabs } from "../support/tabs";
import { settledVm, teeToVictoria, vmExport } from "../support/victoria";

const { putUrl, httpUrl } = inject("victoriaMetrics");

const root = resolve(import.meta.dirname, "../..");
const TOKEN = "durable-test-token";
const RELAY = "https://relay.example/apptuit";

type MiniflareClass = typeof import("miniflare").Miniflare;
type MiniflareInstance = InstanceType<MiniflareClass>;

/** The wrangler.jsonc of the README, as miniflare options. */
function wranglerOptions() {
  const text = readFileSync(resolve(root, "test/workers/durable/wrangler.jsonc"), "utf8").replace(/^\s*\/\/.*$/gm, "");
  const config = JSON.parse(text) as {
    compatibility_date: string;
    durable_objects: { bindings: { name: string; class_name: string }[] };
    migrations: { new_sqlite_classes?: string[] }[];
  };
  const sqlite = new Set(config.migrations.flatMap((m) => m.new_sqlite_classes ?? []));
  const durableObjects = Object.fromEntries(
    config.durable_objects.bindings.map((b) => [b.name, { className: b.class_name, useSQLite: sqlite.has(b.class_name) }]),
  );
  return { compatibilityDate: config.compatibility_date, durableObjects };
}

const backend = createBackend({ token: TOKEN });
let server: Served;
/** The write API answers 503 while true. */
let down = false;
/** Writes go to VictoriaMetrics as well while true. */
let alsoVictoria = false;
const started: MiniflareInstance[] = [];
const dirs: string[] = [];

interface RelaySettings {
  shards: number;
  windowMs: number;
  graceMs: number;
  maxBuffered?: number;
  persist?: string;
}

async function startRelay(s: RelaySettings): Promise<MiniflareInstance> {
  const { Miniflare } = await import("miniflare");
  const mf = new Miniflare({
    modules: true,
    modulesRoot: root,
    scriptPath: resolve(root, "test/workers/durable/worker.js"),
    modulesRules: [{ type: "ESModule", include: ["**/*.js"] }],
    ...wranglerOptions(),
    ...(s.persist !== undefined && { durableObjectsPersist: s.persist }),
    bindings: {
      APPTUIT_API_TOKEN: TOKEN,
      APPTUIT_ENDPOINT: server.url,
      SHARDS: String(s.shards),
      WINDOW_MS: String(s.windowMs),
      GRACE_MS: String(s.graceMs),
      MAX_BUFFERED: String(s.maxBuffered ?? 100_000),
    },
  });
  started.push(mf);
  await mf.ready;
  return mf;
}

async function stop(mf: MiniflareInstance): Promise<void> {
  started.splice(started.indexOf(mf), 1);
  await mf.dispose();
}

async function shardStats(mf: MiniflareInstance): Promise<ShardStats[]> {
  return (await (await mf.dispatchFetch("https://relay.example/stats")).json()) as ShardStats[];
}

async function until(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 200_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Every shard has taken its windows and written its backlog. */
const settled = async (mf: MiniflareInstance) => (await shardStats(mf)).every((s) => s.series === 0 && s.backlog === 0);

/** Waits, if needed, for the start of a window, so that `needMs` from now stay within one window. */
async function roomInWindow(windowMs: number, needMs: number): Promise<void> {
  const left = windowMs - (Date.now() % windowMs);
  if (left >= needMs) return;
  const next = Date.now() + left;
  await until("the next window", () => Date.now() >= next + 50, left + 5_000);
}

/**
 * `mf.dispatchFetch` for simulated tabs: at most `concurrency` requests on the loopback
 * socket at once (more make Node's client fail to connect, not the Worker), and without
 * `keepalive`, which only browsers implement.
 */
function limited(mf: MiniflareInstance, concurrency: number): (url: RequestInfo | URL, init?: RequestInit) => Promise<Response> {
  let active = 0;
  const waiting: (() => void)[] = [];
  return async (url, init) => {
    if (active >= concurrency) await new Promise<void>((r) => waiting.push(r));
    active++;
    try {
      const { keepalive: _, ...rest } = init ?? {};
      return (await mf.dispatchFetch(String(url), rest as never)) as unknown as Response;
    } finally {
      active--;
      waiting.shift()?.();
    }
  };
}

const sumOf = (points: StoredPoint[], metric: string) => points.filter((p) => p.metric === metric).reduce((s, p) => s + p.value, 0);
const identity = (p: StoredPoint) => `${p.metric}${JSON.stringify(Object.entries(p.tags).sort())}@${p.timestamp}`;

beforeAll(async () => {
  const tee = teeToVictoria(backend, putUrl);
  server = await serve((request) =>
    down && new URL(request.url).pathname === "/api/put"
      ? new Response("down", { status: 503 })
      : alsoVictoria
        ? tee(request)
        : backend.fetch(request),
  );
});
afterAll(async () => {
  for (const mf of started) await mf.dispose();
  await server?.close();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});
beforeEach(() => {
  backend.reset();
  down = false;
  alsoVictoria = false;
});

function persistDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "apptuit-do-"));
  dirs.push(dir);
  return dir;
}

describe("aggregation in Durable Objects (workerd)", () => {
  it("1,000 tabs' beacons at once through 8 shards: exact totals in the embedded backend and VictoriaMetrics, one point per series and field, global percentiles within 1 %", async () => {
    alsoVictoria = true;
    // Tabs stamp their deltas when they flush, all within a few ms: a long grace lets every
    // beacon arrive before that one window is written, even on a loaded machine (80 s seen).
    const WINDOW = 10_000;
    const mf = await startRelay({ shards: 8, windowMs: WINDOW, graceMs: 90_000 });
    const statuses: Record<string, number> = {};
    const dispatch = limited(mf, 100);
    const { tabs, recorded } = openTabs(
      1_000,
      RELAY,
      async (url, init) => {
        let response: Response;
        try {
          response = await dispatch(url, init);
        } catch (error) {
          statuses[String(error)] = (statuses[String(error)] ?? 0) + 1;
          throw error;
        }
        const key = `${response.status} ${response.status >= 300 ? await response.clone().text() : ""}`;
        statuses[key] = (statuses[key] ?? 0) + 1;
        return response;
      },
      7,
      120_000,
    );
    for (const tab of tabs) tab.record(0);
    await roomInWindow(WINDOW, 3_000);
    const started = Date.now();
    const flushed = await Promise.all(tabs.map((tab) => tab.handle.flush().then((r) => r.ok)));
    const flushMs = Date.now() - started;
    console.log(`durable objects: 1,000 tabs flushed through 8 shards in ${flushMs} ms`);
    expect(flushed.every(Boolean), JSON.stringify(statuses)).toBe(true);
    await until("every window written", () => settled(mf));

    const stored = backend.points().filter((p) => p.tags.app === "tabs");
    const ids = stored.map(identity);
    expect(new Set(ids).size).toBe(ids.length);
    const windows = [...new Set(stored.map((p) => p.timestamp))];
    expect(windows).toHaveLength(1);
    expect((windows[0]! * 1000) % WINDOW).toBe(0);
    expect(sumOf(stored, "tabs_clicks_count")).toBe(recorded.clicks);
    expect(sumOf(stored, "tabs_views_count")).toBe(recorded.marks);
    expect(sumOf(stored, "tabs_latency_count")).toBe(recorded.durations.length);
    const sorted = [...recorded.durations].sort((a, b) => a - b);
    for (const [field, q] of [
      ["50", 0.5],
      ["95", 0.95],
      ["99", 0.99],
    ] as const) {
      const exact = pyformancePercentile(sorted, q);
      const got = stored.find((p) => p.metric === `tabs_latency_${field}_percentile`)!.value;
      expect(Math.abs(got - exact) / exact, `p${field}: ${got} vs exact ${exact}`).toBeLessThanOrEqual(0.01);
    }
    // Each shard writes its own meta series (tag shard), so they never collide either.
    const meta = backend.points().filter((p) => p.metric === "apptuit_relay_series_count");
    expect(new Set(meta.map(identity)).size).toBe(meta.length);
    expect(new Set(meta.map((p) => p.tags.shard)).size).toBeGreaterThan(1);
    // One write per shard that held series in the window (which shards do depends on the
    // hash of the series sent, not on the test): each wrote that one window, once.
    const shards = await shardStats(mf);
    const writers = shards.filter((s) => s.windows > 0);
    expect(writers.every((s) => s.windows === 1)).toBe(true);
    expect(writers.length).toBeGreaterThan(1);
    expect(backend.stats().puts).toBe(writers.length);

    // VictoriaMetrics got the same writes: the same totals, one sample per series and field.
    const tabSeries = await settledVm(
      httpUrl,
      () => vmExport(httpUrl, `{app="tabs"}`),
      (e) => e.reduce((n, s) => n + s.values.length, 0) >= stored.length,
    );
    expect(tabSeries.reduce((n, s) => n + s.values.length, 0)).toBe(stored.length);
    for (const series of tabSeries) expect(series.timestamps, JSON.stringify(series.metric)).toEqual([windows[0]! * 1000]);
    const vmSum = (name: string) => tabSeries.filter((s) => s.metric.__name__ === name).reduce((n, s) => n + s.values[0]!, 0);
    expect(vmSum("tabs_clicks_count")).toBe(recorded.clicks);
    expect(vmSum("tabs_views_count")).toBe(recorded.marks);
    expect(vmSum("tabs_latency_count")).toBe(recorded.durations.length);
    for (const [field, q] of [
      ["50", 0.5],
      ["95", 0.95],
      ["99", 0.99],
    ] as const) {
      const exact = pyformancePercentile(sorted, q);
      const got = tabSeries.find((s) => s.metric.__name__ === `tabs_latency_${field}_percentile`)!.values[0]!;
      expect(Math.abs(got - exact) / exact, `VictoriaMetrics p${field}: ${got} vs exact ${exact}`).toBeLessThanOrEqual(0.01);
    }
    await Promise.all(tabs.map((tab) => tab.handle.shutdown()));
    await stop(mf);
  }, 300_000);

  it("an object restarted between the 2xx and its alarm loses nothing and counts nothing twice", async () => {
    const WINDOW = 10_000;
    const dir = persistDir();
    // The alarm comes at least 6 s (room in the window) + 10 s (grace) after the flush
    // starts: far more than 40 beacons and a dispose take. Had it come first, the puts
    // check below would say so.
    const settings = { shards: 2, windowMs: WINDOW, graceMs: 10_000, persist: dir };
    let mf = await startRelay(settings);
    const { tabs, recorded } = openTabs(40, RELAY, (url, init) => limited(mf, 100)(url, init), 11);
    for (const tab of tabs) tab.record(0);
    await roomInWindow(WINDOW, 6_000);
    expect((await Promise.all(tabs.map((tab) => tab.handle.flush().then((r) => r.ok)))).every(Boolean)).toBe(true);
    await stop(mf);
    // Acknowledged, not yet written: only the objects' storage holds it now.
    expect(backend.stats().puts).toBe(0);

    mf = await startRelay(settings);
    await until(
      "the window written after the restart",
      async () => backend.points().some((p) => p.metric === "tabs_clicks_count") && (await settled(mf)),
    );
    const stored = backend.points().filter((p) => p.tags.app === "tabs");
    expect(new Set(stored.map(identity)).size).toBe(stored.length);
    expect(sumOf(stored, "tabs_clicks_count")).toBe(recorded.clicks);
    expect(sumOf(stored, "tabs_latency_count")).toBe(recorded.durations.length);
    await Promise.all(tabs.map((tab) => tab.handle.shutdown()));
    await stop(mf);
  }, 120_000);

  it("write API down for several windows: the backlog is written once and in order when it is back, drops counted only past the backlog", async () => {
    const PER_WINDOW = 5; // the counter + 4 meta points (series, points, late, dropped)
    const mf = await startRelay({ shards: 1, windowMs: 1_000, graceMs: 100, maxBuffered: 2 * PER_WINDOW });
    let sent = 0;
    const beacon = async (value: number) => {
      const writer = compactBody();
      writer.tryAdd(
        { metric: "down.hits", tags: { app: "down" }, timestamp: Math.floor(Date.now() / 1000) * 1000, value, delta: { kind: "sum" } },
        65_536,
      );
      const response = await mf.dispatchFetch(RELAY, { method: "POST", headers: { "content-type": "text/plain" }, body: writer.finish() });
      expect(response.status).toBe(204);
    };
    const windowsTaken = async () => (await shardStats(mf))[0]!.windows;
    /** One beacon per window while the write API is down, each window taken into the backlog. */
    const downFor = async (windows: number, first: number) => {
      for (let w = 0; w < windows; w++) {
        const before = await windowsTaken();
        await beacon(first + w);
        sent++;
        await until("the window taken", async () => (await windowsTaken()) > before);
      }
    };

    // Within the backlog: everything waits, then everything is written.
    down = true;
    await downFor(2, 1);
    let stats = (await shardStats(mf))[0]!;
    expect(stats.backlog).toBe(2 * PER_WINDOW);
    expect(stats.dropped).toBe(0);
    expect(backend.points()).toHaveLength(0);
    down = false;
    await until("the backlog written", () => settled(mf));
    let hits = backend.points().filter((p) => p.metric === "down_hits");
    expect(hits.map((p) => p.value)).toEqual([1, 2]);
    expect((await shardStats(mf))[0]!.dropped).toBe(0);

    // Past the backlog: the oldest windows are dropped and counted, the newest written once.
    backend.reset();
    down = true;
    await downFor(5, 10);
    stats = (await shardStats(mf))[0]!;
    expect(stats.backlog).toBe(2 * PER_WINDOW);
    expect(stats.dropped).toBe(3 * PER_WINDOW);
    down = false;
    await until("the backlog written", () => settled(mf));
    hits = backend.points().filter((p) => p.metric === "down_hits");
    expect(hits.map((p) => p.value)).toEqual([13, 14]);
    // In order, each once.
    expect(hits.map((p) => p.timestamp)).toEqual([...hits.map((p) => p.timestamp)].sort((a, b) => a - b));
    expect(new Set(backend.points().map(identity)).size).toBe(backend.points().length);
    expect(sent).toBe(7);
    await stop(mf);
  }, 120_000);
});
