// apptuit/workers in the real workerd (through miniflare): a Worker importing the built
// self-contained bundle reports through withApptuit to the embedded backend on 127.0.0.1.
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createBackend } from "../../src/backend/index";
import { serve, type Served } from "../harness/serve";

const root = resolve(import.meta.dirname, "../..");
const bundle = resolve(root, "dist/bundle/workers.js");
const TOKEN = "workers-test-token";

type MiniflareClass = typeof import("miniflare").Miniflare;
type MiniflareInstance = InstanceType<MiniflareClass>;

async function loadMiniflare(): Promise<MiniflareClass> {
  try {
    return (await import("miniflare")).Miniflare;
  } catch (error) {
    throw new Error(`miniflare is not installed (it ships workerd): run \`npm install --save-dev miniflare@4\`. ${String(error)}`);
  }
}

async function until(what: string, check: () => boolean, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

const backend = createBackend({ token: TOKEN });
let server: Served;
/** Awaited by each /api/put before it is served, if set (to hold flushes while requests arrive). */
let beforePut: (() => Promise<void>) | undefined;
const started: MiniflareInstance[] = [];

async function startWorker(flushIntervalMs: number, extraBindings: Record<string, string> = {}): Promise<MiniflareInstance> {
  const Miniflare = await loadMiniflare();
  const mf = new Miniflare({
    modules: true,
    modulesRoot: root,
    scriptPath: resolve(root, "test/workers/worker/worker.js"),
    // The bundle's chunks are relative .js imports: load them as ES modules too.
    modulesRules: [{ type: "ESModule", include: ["**/*.js"] }],
    compatibilityDate: "2025-09-01",
    bindings: {
      APPTUIT_API_TOKEN: TOKEN,
      APPTUIT_ENDPOINT: server.url,
      APPTUIT_TAGS: "service: edge-test",
      FLUSH_INTERVAL_MS: String(flushIntervalMs),
      ...extraBindings,
    },
  });
  started.push(mf);
  await mf.ready;
  return mf;
}

function sum(metric: string, tags: Record<string, string> = {}): number {
  return backend
    .points()
    .filter((p) => p.metric === metric && Object.entries(tags).every(([k, v]) => p.tags[k] === v))
    .reduce((total, p) => total + p.value, 0);
}

function valuesOf(metric: string): number[] {
  return backend
    .points()
    .filter((p) => p.metric === metric)
    .map((p) => p.value);
}

beforeAll(async () => {
  if (!existsSync(bundle)) throw new Error(`${bundle} is missing: run \`npm run build\` first (npm test does).`);
  server = await serve(async (request) => {
    if (beforePut && new URL(request.url).pathname.endsWith("/api/put")) await beforePut();
    return backend.fetch(request);
  });
});

afterAll(async () => {
  for (const mf of started) await mf.dispose();
  await server?.close();
});

describe("apptuit/workers in workerd", () => {
  it("M requests produce deltas summing to exactly M, flushed at most once per interval and on scheduled", async () => {
    backend.reset();
    const mf = await startWorker(60_000);
    const M = 30;

    const first = await mf.dispatchFetch("http://worker.test/items/1");
    expect(first.status).toBe(200);
    await first.text();
    // The first request of an isolate flushes (through ctx.waitUntil, after the response).
    await until("the first flush", () => sum("worker_hits_count") === 1);

    for (let i = 2; i <= M; i++) {
      const res = await mf.dispatchFetch(`http://worker.test/items/${i * 7919}`);
      expect(res.status).toBe(200);
      await res.text();
    }
    for (let i = 0; i < 3; i++) expect((await mf.dispatchFetch("http://worker.test/boom")).status).toBe(500);
    for (let i = 0; i < 2; i++) expect((await mf.dispatchFetch("http://worker.test/missing")).status).toBe(404);
    await new Promise((r) => setTimeout(r, 300));
    // Throttled: 35 requests within the 60 s interval sent one put, not 35.
    expect(backend.stats().puts).toBe(1);
    expect(sum("worker_hits_count")).toBe(1);

    // A cron trigger always flushes, and runs the Worker's own scheduled handler.
    // (typed loosely: miniflare types Fetcher through @cloudflare/workers-types, not installed)
    const worker = (await mf.getWorker()) as unknown as { scheduled(o: { cron: string; scheduledTime: Date }): Promise<unknown> };
    await worker.scheduled({ cron: "* * * * *", scheduledTime: new Date() });
    await until("the scheduled flush", () => sum("worker_hits_count") === M);
    expect(backend.stats().puts).toBe(2);

    // Deltas: two points (1, then M - 1) whose sum is exactly M — never cumulative totals.
    expect(valuesOf("worker_hits_count")).toEqual([1, M - 1]);
    expect(sum("worker_cron_count")).toBe(1);
    // Env tags (APPTUIT_TAGS) reach every point; the counter's own tags stay.
    const hitPoints = backend.points().filter((p) => p.metric === "worker_hits_count");
    for (const p of hitPoints) expect(p.tags).toMatchObject({ app: "test", service: "edge-test" });

    // Request metrics: route with ids collapsed, method, status class; thrown errors as 5xx.
    const ok = { route: "/items/:id", method: "GET", status: "2xx" };
    expect(sum("http_server_requests_count", ok)).toBe(M);
    expect(sum("http_server_latency_count", ok)).toBe(M);
    expect(sum("http_server_requests_count", { route: "/boom", status: "5xx" })).toBe(3);
    expect(sum("http_server_requests_count", { route: "/missing", status: "4xx" })).toBe(2);
    const routes = new Set(
      backend
        .points()
        .filter((p) => p.metric === "http_server_requests_count")
        .map((p) => p.tags.route),
    );
    expect([...routes].sort()).toEqual(["/boom", "/items/:id", "/missing"]);

    // The same numbers read back with the client's query from inside workerd.
    const fromWorker = await mf.dispatchFetch("http://worker.test/sum?metric=worker_hits_count&app=test");
    expect(await fromWorker.json()).toEqual({ sum: M });
  });

  it("sends and queries with the client from inside workerd", async () => {
    backend.reset();
    const mf = await startWorker(60_000);
    const run = `r${Date.now().toString(36)}`;
    const res = await mf.dispatchFetch(`http://worker.test/client?run=${run}`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as {
      sent: { points: number; requests: number };
      series: { metric: string; tags: Record<string, string>; values: number[] }[];
      table: { columns: { values: (number | null)[] }[] } | null;
    };
    expect(body.sent).toEqual({ points: 2, requests: 1 });
    expect(body.series).toHaveLength(1);
    expect(body.series[0]!.metric).toBe("worker_client_sent");
    expect(body.series[0]!.tags).toMatchObject({ run, service: "edge-test" });
    expect(body.series[0]!.values).toEqual([42, 43]);
    expect(body.table?.columns[0]?.values).toEqual([42, 43]);
    const stored = backend.points().filter((p) => p.metric === "worker_client_sent");
    expect(stored.map((p) => p.value)).toEqual([42, 43]);
  });

  it("without the throttle (interval 0) every request flushes its own delta of 1", async () => {
    backend.reset();
    const mf = await startWorker(0);
    const M = 8;
    for (let i = 1; i <= M; i++) {
      const res = await mf.dispatchFetch(`http://worker.test/items/${i}`);
      await res.text();
      await until(`flush ${i}`, () => sum("worker_hits_count") === i);
    }
    expect(valuesOf("worker_hits_count")).toEqual(Array(M).fill(1));
    expect(backend.stats().puts).toBe(M);
  });

  it("concurrent requests against a slow backend: flushes join instead of piling up, nothing lost", async () => {
    backend.reset();
    // The first put is held until every response is back: all N requests ask for their flush
    // (before their response returns) while the first flush is still running. Joined, they
    // make at most one more flush; piled up, up to N.
    let release!: () => void;
    const released = new Promise<void>((r) => (release = r));
    let arrived = 0;
    let active = 0;
    let maxActive = 0;
    beforePut = async () => {
      arrived++;
      maxActive = Math.max(maxActive, ++active);
      try {
        if (arrived === 1) await released;
      } finally {
        active--;
      }
    };
    try {
      // No throttle: every request asks for a flush. A held put must not time out and be retried.
      const mf = await startWorker(0, { CLIENT_TIMEOUT_MS: "120000" });
      const N = 40;
      const responses = await Promise.all(
        Array.from({ length: N }, (_, i) => mf.dispatchFetch(`http://worker.test/items/${i}`).then((r) => r.text())),
      );
      expect(responses).toEqual(Array(N).fill("ok"));
      await until("the first put", () => arrived >= 1);
      await new Promise((r) => setTimeout(r, 300));
      // While the first put is held, no other flush has started a put.
      expect(arrived).toBe(1);
      expect(sum("worker_hits_count")).toBe(0);
      release();
      await until("all hits delivered", () => sum("worker_hits_count") === N);
      await new Promise((r) => setTimeout(r, 500));
      expect(sum("worker_hits_count")).toBe(N); // exactly: nothing doubled by overlapping flushes
      // The held flush and the one all later requests joined; never two puts at once.
      expect(arrived).toBeLessThanOrEqual(2);
      expect(backend.stats().puts).toBe(arrived);
      expect(maxActive).toBe(1);
    } finally {
      release();
      beforePut = undefined;
    }
  });
});
