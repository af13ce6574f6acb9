// withApptuit with the aggregator binding: several copies of one Worker (each its own
// isolate, in one miniflare instance) send their deltas and sketches to the same
// ApptuitAggregator objects, which write each series once per window: request counts are
// exact and percentiles global across isolates.
import { resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createBackend, type StoredPoint } from "../../src/backend/index";
import { serve, type Served } from "../harness/serve";
import { pyformancePercentile } from "../support/percentile";
import { mulberry32 } from "../support/random";
import { Sketch } from "../../src/registry/sketch";

const root = resolve(import.meta.dirname, "../..");
const TOKEN = "durable-isolates-token";
const COPIES = 4;
const REQUESTS = 1_000;
const WINDOW = 20_000;

type MiniflareInstance = InstanceType<typeof import("miniflare").Miniflare>;

const backend = createBackend({ token: TOKEN });
let server: Served;
let mf: MiniflareInstance | undefined;

beforeAll(async () => {
  server = await serve((request) => backend.fetch(request));
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

describe("withApptuit through Durable Objects (workerd)", () => {
  it(`${COPIES} isolates, ${REQUESTS} requests: exact counts and global percentiles, one point per series and field`, async () => {
    const { Miniflare } = await import("miniflare");
    const bindings = { APPTUIT_TAGS: "service: isolates", APPTUIT_API_TOKEN: TOKEN, APPTUIT_ENDPOINT: server.url, WINDOW_MS: String(WINDOW), GRACE_MS: "60000", SHARDS: "8" };
    const common = { modules: true, modulesRoot: root, modulesRules: [{ type: "ESModule" as const, include: ["**/*.js"] }], compatibilityDate: "2025-09-01", bindings };
    mf = new Miniflare({
      workers: [
        { ...common, name: "relay", scriptPath: resolve(root, "test/workers/durable/worker.js"), durableObjects: { APPTUIT_AGGREGATOR: { className: "ApptuitAggregator", useSQLite: true } } },
        ...Array.from({ length: COPIES }, (_, i) => ({
          ...common,
          name: `app-${i}`,
          scriptPath: resolve(root, "test/workers/durable/app-worker.js"),
          durableObjects: { APPTUIT_AGGREGATOR: { className: "ApptuitAggregator", scriptName: "relay", useSQLite: true } },
        })),
      ],
    });
    await mf.ready;
    type Worker = { fetch(url: string): Promise<{ text(): Promise<string>; json(): Promise<unknown> }>; scheduled(options: { cron: string }): Promise<unknown> };
    const apps = (await Promise.all(Array.from({ length: COPIES }, (_, i) => mf!.getWorker(`app-${i}`)))) as unknown as Worker[];

    const left = WINDOW - (Date.now() % WINDOW);
    if (left < 15_000) {
      const next = Date.now() + left;
      await until("the next window", () => Date.now() >= next + 50, left + 5_000);
    }
    const random = mulberry32(5);
    const values: number[] = [];
    const requests = Array.from({ length: REQUESTS }, (_, i) => {
      const v = Math.round(Math.exp(1 + 4 * random()) * 100) / 100;
      values.push(v);
      return apps[i % COPIES]!.fetch(`https://app.example/work/${i}?v=${v}`).then((r) => r.text());
    });
    await Promise.all(requests);
    // A cron tick in every isolate: each flushes what its throttle still held.
    await Promise.all(apps.map((app) => app.scheduled({ cron: "* * * * *" })));

    const relay = (await mf.getWorker("relay")) as unknown as Worker;
    await until("every window written", async () => {
      const stats = (await (await relay.fetch("https://relay.example/stats")).json()) as { series: number; backlog: number; windows: number }[];
      return stats.every((s) => s.series === 0 && s.backlog === 0) && stats.some((s) => s.windows > 0);
    });

    const stored = backend.points();
    const ids = stored.map((p) => `${p.metric}${JSON.stringify(Object.entries(p.tags).sort())}@${p.timestamp}`);
    expect(new Set(ids).size).toBe(ids.length);
    const work = stored.filter((p) => p.metric.startsWith("work_time_"));
    expect(new Set(work.map((p) => p.timestamp)).size).toBe(1);
    expect(sumOf(stored, "http_server_requests_count")).toBe(REQUESTS);
    expect(sumOf(stored, "http_server_latency_count")).toBe(REQUESTS);
    expect(sumOf(stored, "work_time_count")).toBe(REQUESTS);
    // Global: exactly what one registry that saw every request of every isolate reports.
    const one = new Sketch();
    for (const v of values) one.add(v);
    const sorted = [...values].sort((a, b) => a - b);
    for (const [field, q] of [["50", 0.5], ["95", 0.95], ["99", 0.99]] as const) {
      const got = work.find((p) => p.metric === `work_time_${field}_percentile`)!.value;
      expect(got, `p${field}`).toBeCloseTo(one.quantile(q), 9);
      console.log(`withApptuit through objects: p${field} ${got} (exact ${pyformancePercentile(sorted, q)})`);
    }
    expect(work.find((p) => p.metric === "work_time_max")!.value).toBe(sorted.at(-1));
    expect(work.find((p) => p.metric === "work_time_min")!.value).toBe(sorted[0]);
  }, 300_000);
});
