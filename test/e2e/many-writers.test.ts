// Many writers of the same series (docs/aggregation.md): 20 real Chromium pages and 1,000
// simulated tabs (the page SDK's own `init`, in this process) flush at once through the
// aggregating relay into the embedded backend (one value per series and timestamp) and
// into VictoriaMetrics. Stored totals equal recorded totals exactly, the timer's p50/p95/p99
// are within 1 % of the exact percentiles over the union of every writer's values, and each
// series and field has exactly one point per window. The same tabs without aggregation
// show what was lost before (logged).
import { readFile } from "node:fs/promises";
import { extname, join, resolve } from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { createBackend, type StoredPoint } from "../../src/backend";
import { createRelay, type RelayHandler, type RelayOptions } from "../../src/relay";
import { launchChromium } from "../harness/chromium";
import { serve, type Served } from "../harness/serve";
import { pyformancePercentile } from "../support/percentile";
import { mulberry32 } from "../support/random";
import { openTabs } from "../support/tabs";

const { putUrl, httpUrl } = inject("victoriaMetrics");
const TOKEN = "many-writers-token";
const PAGES = 20;
const TABS = 1_000;
/** Long windows: the whole run lands in one (or, across a boundary, two). */
const WINDOW_MS = 600_000;
const root = resolve(import.meta.dirname, "../..");
const run = `w${Date.now().toString(36)}`;

const PAGE_HTML = `<!doctype html><title>tab</title><script type="module">
import { init } from "/dist/bundle/browser-relay.js";
const h = init({ relayUrl: "/apptuit", interval: 3600000, flushOnHide: false, tags: { app: "tabs" } });
window.record = (clicks, durations) => {
  h.registry.counter("tabs.clicks", { button: "buy" }).inc(clicks);
  h.registry.meter("tabs.views").mark(2);
  const t = h.registry.timer("tabs.latency");
  for (const d of durations) t.update(d);
};
window.flushNow = () => h.flush().then((r) => r.ok);
window.ready = true;
</script>`;

function embeddedRelay(options: Partial<RelayOptions>) {
  const backend = createBackend({ token: TOKEN });
  const relay = createRelay({
    token: TOKEN,
    endpoint: "http://backend.invalid",
    clientOptions: { fetch: (input, init) => backend.fetch(new Request(input, init)), retry: 0 },
    rateLimit: false,
    onError: null,
    tags: { run },
    ...options,
  });
  return { backend, relay };
}

let browser: Browser;
let server: Served;
let route: (request: Request) => Promise<Response>;

beforeAll(async () => {
  server = await serve(async (request) => {
    const url = new URL(request.url);
    if (url.pathname === "/apptuit") return route(request);
    if (url.pathname === "/tab") return new Response(PAGE_HTML, { headers: { "content-type": "text/html" } });
    if (url.pathname === "/favicon.ico") return new Response(null, { status: 204 });
    if (url.pathname.startsWith("/dist/")) {
      const file = join(root, url.pathname);
      if (!file.startsWith(join(root, "dist"))) return new Response("no", { status: 403 });
      return new Response(await readFile(file), {
        headers: { "content-type": extname(file) === ".js" ? "text/javascript" : "application/octet-stream" },
      });
    }
    return new Response(null, { status: 404 });
  });
  browser = await launchChromium();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

const sumOf = (points: StoredPoint[], metric: string) => points.filter((p) => p.metric === metric).reduce((s, p) => s + p.value, 0);

async function vmExport(selector: string): Promise<{ metric: Record<string, string>; values: number[]; timestamps: number[] }[]> {
  const text = await (await fetch(`${httpUrl}/api/v1/export?match[]=${encodeURIComponent(selector)}&nocache=1`)).text();
  return text
    .split("\n")
    .filter(Boolean)
    .map((line) => JSON.parse(line));
}

/** Reads VictoriaMetrics until `complete` holds or 15 s pass (writes become visible a little after force_flush). */
async function settledVm<T>(read: () => Promise<T>, complete: (value: T) => boolean): Promise<T> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    await fetch(`${httpUrl}/internal/force_flush`);
    const value = await read();
    if (complete(value) || Date.now() > deadline) return value;
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe("many writers, one series", () => {
  it(`${PAGES} Chromium pages + ${TABS} simulated tabs → exact totals and global percentiles in the embedded backend and VictoriaMetrics`, async () => {
    const embedded = embeddedRelay({ aggregate: { windowMs: WINDOW_MS } });
    const vm: RelayHandler = createRelay({
      token: TOKEN,
      writeEndpoint: putUrl,
      endpoint: httpUrl,
      rateLimit: false,
      onError: null,
      tags: { run },
      aggregate: { windowMs: WINDOW_MS },
    });
    // Every request reaches both relays: one process, one writer per series for each store.
    route = async (request) => {
      const [a, b] = await Promise.all([embedded.relay(request.clone()), vm(request)]);
      return a.ok && b.ok ? a : a.ok ? b : a;
    };

    const pages: Page[] = [];
    for (let i = 0; i < PAGES; i++) {
      const page = await browser.newPage();
      const errors: string[] = [];
      page.on("pageerror", (e) => errors.push(String(e)));
      page.on("console", (m) => m.type() === "error" && errors.push(m.text()));
      await page.goto(`${server.url}/tab`);
      await page
        .waitForFunction(() => (window as unknown as { ready?: boolean }).ready === true)
        .catch((error: unknown) => {
          throw new Error(`the page did not start: ${errors.join("; ") || String(error)}`);
        });
      pages.push(page);
    }
    const { tabs, recorded } = openTabs(TABS, `${server.url}/apptuit`, (url, init) => route(new Request(url, init)));
    for (const tab of tabs) tab.record(0);
    const random = mulberry32(99);
    for (const page of pages) {
      const clicks = 1 + Math.floor(random() * 5);
      const durations = Array.from({ length: 5 }, () => Math.round(Math.exp(3 + 2.5 * random()) * 100) / 100);
      recorded.clicks += clicks;
      recorded.marks += 2;
      recorded.durations.push(...durations);
      await page.evaluate(([c, d]) => (window as unknown as { record(c: number, d: number[]): void }).record(c, d), [
        clicks,
        durations,
      ] as const);
    }

    // All at once: pages over HTTP, simulated tabs in process.
    const flushed = await Promise.all([
      ...pages.map((page) => page.evaluate(() => (window as unknown as { flushNow(): Promise<boolean> }).flushNow())),
      ...tabs.map((tab) => tab.handle.flush().then((r) => r.ok)),
    ]);
    expect(flushed.every(Boolean)).toBe(true);
    expect(embedded.backend.stats().puts).toBe(0); // held in the windows, nothing written per writer
    await Promise.all([embedded.relay.flush(), vm.flush()]);

    // Embedded backend: one value per series and timestamp, so any collision would lose data.
    const stored = embedded.backend.points().filter((p) => p.tags.app === "tabs");
    const identities = stored.map((p) => `${p.metric}${JSON.stringify(Object.entries(p.tags).sort())}@${p.timestamp}`);
    expect(new Set(identities).size).toBe(identities.length);
    const windows = [...new Set(stored.map((p) => p.timestamp))];
    expect(windows.length).toBeLessThanOrEqual(2);
    for (const t of windows) expect((t * 1000) % WINDOW_MS).toBe(0);
    expect(sumOf(stored, "tabs_clicks_count")).toBe(recorded.clicks);
    expect(sumOf(stored, "tabs_views_count")).toBe(recorded.marks);
    expect(sumOf(stored, "tabs_latency_count")).toBe(recorded.durations.length);

    const sorted = [...recorded.durations].sort((a, b) => a - b);
    if (windows.length === 1) {
      for (const [field, q] of [
        ["50", 0.5],
        ["95", 0.95],
        ["99", 0.99],
      ] as const) {
        const exact = pyformancePercentile(sorted, q);
        const got = stored.find((p) => p.metric === `tabs_latency_${field}_percentile`)!.value;
        expect(Math.abs(got - exact) / exact, `p${field}: ${got} vs exact ${exact}`).toBeLessThanOrEqual(0.01);
      }
    }

    // VictoriaMetrics: the same totals, one sample per series and window.
    const clicks = await settledVm(
      () => vmExport(`tabs_clicks_count{run="${run}"}`),
      (e) => e.reduce((s, x) => s + x.values.reduce((a, b) => a + b, 0), 0) >= recorded.clicks,
    );
    expect(clicks).toHaveLength(1);
    expect(clicks[0]!.values.reduce((a, b) => a + b, 0)).toBe(recorded.clicks);
    expect(clicks[0]!.timestamps).toHaveLength(windows.length);
    const latency = await settledVm(
      () => vmExport(`{__name__=~"tabs_latency_.*",run="${run}"}`),
      (e) => e.length >= 15,
    );
    expect(latency).toHaveLength(15); // the timer's fields, each its own series
    for (const series of latency) expect(series.timestamps, series.metric.__name__).toHaveLength(windows.length);
    const count = latency.find((s) => s.metric.__name__ === "tabs_latency_count")!;
    expect(count.values.reduce((a, b) => a + b, 0)).toBe(recorded.durations.length);
    if (windows.length === 1) {
      const p99 = latency.find((s) => s.metric.__name__ === "tabs_latency_99_percentile")!.values[0]!;
      expect(Math.abs(p99 - pyformancePercentile(sorted, 0.99)) / pyformancePercentile(sorted, 0.99)).toBeLessThanOrEqual(0.01);
    }
    await Promise.all(tabs.map((tab) => tab.handle.shutdown()));
    await Promise.all(pages.map((page) => page.close()));
  }, 300_000);

  it(`without aggregation the same ${TABS} tabs cost a write each and points per tab (logged with the loss)`, async () => {
    // No cap on concurrent upstream writes here: this measures collisions, not refusals.
    const passThrough = embeddedRelay({ aggregate: false, maxConcurrentWrites: 100_000 });
    const aggregated = embeddedRelay({ aggregate: { windowMs: WINDOW_MS } });
    const measure = async (relay: RelayHandler, backend: ReturnType<typeof createBackend>) => {
      const { tabs, recorded } = openTabs(TABS, "http://relay.test/apptuit", (url, init) => relay(new Request(url, init)), 3);
      for (const tab of tabs) tab.record(0);
      await Promise.all(tabs.map((tab) => tab.handle.flush()));
      await relay.flush();
      await Promise.all(tabs.map((tab) => tab.handle.shutdown()));
      const points = backend.points().filter((p) => p.tags.app === "tabs");
      return { recorded: recorded.clicks, stored: sumOf(points, "tabs_clicks_count"), puts: backend.stats().puts, kept: points.length };
    };
    const before = await measure(passThrough.relay, passThrough.backend);
    const after = await measure(aggregated.relay, aggregated.backend);
    console.log(
      `many writers (${TABS} tabs, one flush each, embedded backend): pass-through stored ${before.stored} of ${before.recorded} clicks ` +
        `(${(100 * (1 - before.stored / before.recorded)).toFixed(1)} % lost, ${before.puts} writes, ${before.kept} points kept); ` +
        `aggregated stored ${after.stored} of ${after.recorded} (${after.puts} write, ${after.kept} points)`,
    );
    expect(after.stored).toBe(after.recorded);
    expect(before.stored).toBeLessThanOrEqual(before.recorded);
    // Points grow with tabs without aggregation, with series with it.
    expect(before.puts).toBeGreaterThanOrEqual(TABS);
    expect(after.puts).toBe(1);
    expect(before.kept).toBeGreaterThan(100 * after.kept);
  }, 120_000);
});
