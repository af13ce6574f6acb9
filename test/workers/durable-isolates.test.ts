// withApptuit with the aggregator binding: several copies of one Worker (each its own
// isolate, in one miniflare instance) send their deltas and sketches to the same
// ApptuitAggregator objects, which write each series once per window into the embedded
// backend and VictoriaMetrics: request counts are exact and percentiles global across
// isolates (within 1 % of the exact ones over every isolate's values).
import { resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { createBackend, type StoredPoint } from "../../src/backend/index";
import { serve, type Served } from "../harness/serve";
import { pyformancePercentile } from "../support/percentile";
import { mulberry32 } from "../support/random";
import { settledVm, teeToVictoria, vmExport } from "../support/victoria";

const { putUrl, httpUrl } = inject("victoriaMetrics");
const root = resolve(import.meta.dirname, "../..");
const TOKEN = "durable-isolates-token";
const COPIES = 4;
const REQUESTS = 5_000;
/** Requests in flight at once across the isolates (miniflare's loopback socket is the limit, not the Worker). */
const CONCURRENCY = 100;
const WINDOW = 10_000;
/** Only covers a flush's trip from its isolate to the object: every flush is sent as soon as it is stamped. */
const GRACE = 5_000;
const run = `i${Date.now().toString(36)}`;

type MiniflareInstance = InstanceType<typeof import("miniflare").Miniflare>;

const backend = createBackend({ token: TOKEN });
let server: Served;
let mf: MiniflareInstance | undefined;

beforeAll(async () => {
  server = await serve(teeToVictoria(backend, putUrl));
});
afterAll(async () => {
  await mf?.dispose();
  await server?.close();
});

async function until(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 90_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const sumOf = (points: StoredPoint[], metric: string) => points.filter((p) => p.metric === metric).reduce((s, p) => s + p.value, 0);
const relativeError = (got: number, exact: number) => Math.abs(got - exact) / Math.abs(exact);

describe("withApptuit through Durable Objects (workerd)", () => {
  it(`${COPIES} isolates, ${REQUESTS} requests: exact counts and global percentiles in the embedded backend and VictoriaMetrics, one point per series and field`, async () => {
    const { Miniflare } = await import("miniflare");
    const bindings = {
      APPTUIT_TAGS: `service: isolates, run: ${run}`,
      APPTUIT_API_TOKEN: TOKEN,
      APPTUIT_ENDPOINT: server.url,
      WINDOW_MS: String(WINDOW),
      GRACE_MS: String(GRACE),
      SHARDS: "8",
      INTERVAL_MS: "3600000",
    };
    const common = {
      modules: true,
      modulesRoot: root,
      modulesRules: [{ type: "ESModule" as const, include: ["**/*.js"] }],
      compatibilityDate: "2025-09-01",
      bindings,
    };
    mf = new Miniflare({
      workers: [
        {
          ...common,
          name: "relay",
          scriptPath: resolve(root, "test/workers/durable/worker.js"),
          durableObjects: { APPTUIT_AGGREGATOR: { className: "ApptuitAggregator", useSQLite: true } },
        },
        ...Array.from({ length: COPIES }, (_, i) => ({
          ...common,
          name: `app-${i}`,
          scriptPath: resolve(root, "test/workers/durable/app-worker.js"),
          durableObjects: { APPTUIT_AGGREGATOR: { className: "ApptuitAggregator", scriptName: "relay", useSQLite: true } },
        })),
      ],
    });
    await mf.ready;
    type Worker = {
      fetch(url: string): Promise<{ text(): Promise<string>; json(): Promise<unknown> }>;
      scheduled(options: { cron: string }): Promise<unknown>;
    };
    const apps = (await Promise.all(Array.from({ length: COPIES }, (_, i) => mf!.getWorker(`app-${i}`)))) as unknown as Worker[];

    const random = mulberry32(5);
    const values = Array.from({ length: REQUESTS }, () => Math.round(Math.exp(1 + 4 * random()) * 100) / 100);
    // A first cron tick sets each isolate's reporter up; with the long interval no request
    // flushes after it, so the burst may take as long as the machine needs and the second
    // tick stamps all of it in one window.
    await Promise.all(apps.map((app) => app.scheduled({ cron: "* * * * *" })));
    const started = Date.now();
    let nextRequest = 0;
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        for (let i = nextRequest++; i < REQUESTS; i = nextRequest++)
          await (await apps[i % COPIES]!.fetch(`https://app.example/work/${i}?v=${values[i]}`)).text();
      }),
    );
    console.log(`withApptuit through objects: ${REQUESTS} requests over ${COPIES} isolates in ${Date.now() - started} ms`);
    const left = WINDOW - (Date.now() % WINDOW);
    if (left < 4_000) {
      const next = Date.now() + left;
      await until("the next window", () => Date.now() >= next + 50, left + 5_000);
    }
    const ticked = Date.now();
    await Promise.all(apps.map((app) => app.scheduled({ cron: "* * * * *" })));

    const relay = (await mf.getWorker("relay")) as unknown as Worker;
    await until("every window written", async () => {
      const stats = (await (await relay.fetch("https://relay.example/stats")).json()) as {
        series: number;
        backlog: number;
        windows: number;
      }[];
      return stats.every((s) => s.series === 0 && s.backlog === 0) && backend.points().some((p) => p.metric === "work_time_count");
    });
    console.log(
      `withApptuit through objects: written ${Date.now() - ticked} ms after the flushing tick (window ${WINDOW} ms, grace ${GRACE} ms)`,
    );

    // Embedded backend: one value per series and timestamp, so a second write would show.
    const stored = backend.points().filter((p) => p.tags.run === run);
    const ids = stored.map((p) => `${p.metric}${JSON.stringify(Object.entries(p.tags).sort())}@${p.timestamp}`);
    expect(new Set(ids).size).toBe(ids.length);
    const work = stored.filter((p) => p.metric.startsWith("work_time_"));
    const windows = [...new Set(work.map((p) => p.timestamp))];
    expect(windows, "the burst crossed a window's end").toHaveLength(1);
    expect((windows[0]! * 1000) % WINDOW).toBe(0);
    expect(sumOf(stored, "http_server_requests_count")).toBe(REQUESTS);
    expect(sumOf(stored, "http_server_latency_count")).toBe(REQUESTS);
    expect(sumOf(stored, "work_time_count")).toBe(REQUESTS);
    // Global: within 1 % of the exact percentiles of every request of every isolate.
    const sorted = [...values].sort((a, b) => a - b);
    const percentiles = [
      ["50", 0.5],
      ["95", 0.95],
      ["99", 0.99],
    ] as const;
    for (const [field, q] of percentiles) {
      const exact = pyformancePercentile(sorted, q);
      const got = work.find((p) => p.metric === `work_time_${field}_percentile`)!.value;
      console.log(`withApptuit through objects: p${field} ${got}, exact ${exact} (${(100 * relativeError(got, exact)).toFixed(2)} %)`);
      expect(relativeError(got, exact), `p${field}: ${got} vs exact ${exact}`).toBeLessThanOrEqual(0.01);
    }
    expect(work.find((p) => p.metric === "work_time_max")!.value).toBe(sorted.at(-1));
    expect(work.find((p) => p.metric === "work_time_min")!.value).toBe(sorted[0]);

    // VictoriaMetrics: the same totals and percentiles, one sample per series and window.
    const counts = await settledVm(
      httpUrl,
      () => vmExport(httpUrl, `{__name__=~"http_server_requests_count|work_time_count",run="${run}"}`),
      (e) => e.reduce((s, x) => s + x.values.reduce((a, b) => a + b, 0), 0) >= 2 * REQUESTS,
    );
    const total = (name: string) =>
      counts.filter((s) => s.metric.__name__ === name).reduce((s, x) => s + x.values.reduce((a, b) => a + b, 0), 0);
    expect(total("http_server_requests_count")).toBe(REQUESTS);
    expect(total("work_time_count")).toBe(REQUESTS);
    const timer = await vmExport(httpUrl, `{__name__=~"work_time_.*",run="${run}"}`);
    expect(timer.map((s) => s.metric.__name__).sort()).toEqual([...new Set(work.map((p) => p.metric))].sort());
    for (const series of timer) expect(series.timestamps, series.metric.__name__).toEqual([windows[0]! * 1000]);
    for (const [field, q] of percentiles) {
      const got = timer.find((s) => s.metric.__name__ === `work_time_${field}_percentile`)!.values[0]!;
      expect(relativeError(got, pyformancePercentile(sorted, q)), `VictoriaMetrics p${field}`).toBeLessThanOrEqual(0.01);
    }
    const all = await vmExport(httpUrl, `{run="${run}"}`);
    for (const series of all) expect(series.timestamps.length, JSON.stringify(series.metric)).toBe(new Set(series.timestamps).size);
    expect(all.reduce((n, s) => n + s.values.length, 0)).toBe(stored.length);
  }, 300_000);
});
