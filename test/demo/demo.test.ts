// `npm run demo` end to end: the demo server (real Node 24, built package) serves the page,
// Chromium clicks its buttons, and the page's charts fill with data it read back from the
// backend — clicks and timed work through the relay, request metrics from the Worker.
// `UPDATE_SCREENSHOT=1` refreshes demo/screenshot.png (the README's picture); otherwise the
// screenshot goes to a temporary directory.
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchChromium } from "../harness/chromium";

const root = resolve(import.meta.dirname, "../..");
const NODE = join(root, "node_modules/.bin/node");

interface Column {
  name: string;
  tags: Record<string, string>;
  values: (number | null)[];
}
interface DemoState {
  ready: boolean;
  refreshes: number;
  errors: string[];
  tables: Record<string, { timestamps: number[]; columns: Column[] } | undefined>;
  charts: Record<string, { data: (number | null)[][] } | undefined>;
  /** Runtime-metric tiles as read back from the backend: LCP, FCP, TTFB, … */
  vitals: Record<string, number | undefined>;
}

let child: ChildProcess | undefined;
let output = "";
let base = "";
let browser: Browser | undefined;

/**
 * Starts `node demo/server.mjs` with PORT=0: it binds a port the kernel picks, so no other
 * socket can take it between choosing and binding; resolves with the URL it prints.
 */
async function startDemo(): Promise<string> {
  for (const file of [
    "dist/apptuit.iife.js",
    "dist/apptuit-direct.iife.js",
    "dist/apptuit-vitals.iife.js",
    "dist/esm/backend.js",
    "dist/esm/relay.js",
    "dist/esm/workers.js",
  ]) {
    if (!existsSync(join(root, file))) throw new Error(`${file} is missing: run \`npm run build\` first (\`npm test\` does)`);
  }
  const proc = spawn(NODE, ["demo/server.mjs"], {
    cwd: root,
    // Only what the demo needs: no APPTUIT_* from our environment, so it uses the embedded backend.
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", PORT: "0", DEMO_EXIT_AFTER_MS: "170000" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  child = proc;
  proc.stdout!.setEncoding("utf8");
  proc.stderr!.setEncoding("utf8");
  proc.stderr!.on("data", (chunk: string) => (output += chunk));
  return new Promise((resolvePromise, reject) => {
    const timer = setTimeout(() => reject(new Error(`the demo printed no URL within 15 s:\n${output}`)), 15_000);
    proc.stdout!.on("data", (chunk: string) => {
      output += chunk;
      const match = /open (http:\/\/127\.0\.0\.1:\d+)\//.exec(output);
      if (match) {
        clearTimeout(timer);
        resolvePromise(match[1]!);
      }
    });
    proc.once("exit", (code) => reject(new Error(`the demo exited with ${code}:\n${output}`)));
  });
}

/** The page's state, plain data only: query tables and what each uPlot instance plots. */
const demoState = (page: Page) =>
  page.evaluate(() => {
    const demo = (window as unknown as { __demo: DemoState }).__demo;
    const charts = Object.fromEntries(Object.entries(demo.charts).map(([id, u]) => [id, { data: u!.data }]));
    return { refreshes: demo.refreshes, errors: demo.errors, tables: demo.tables, charts, vitals: demo.vitals };
  });

/** Sum of a column's non-null values. */
const total = (column: Column | undefined) => (column?.values ?? []).reduce<number>((sum, v) => sum + (v ?? 0), 0);

/** Clicks around like a visitor for `ms` (a fixed pattern, so every picture looks alike). */
async function tour(page: Page, ms: number): Promise<void> {
  const products = ["add_to_cart", "like", "checkout", "like", "add_to_cart", "like"];
  const until = Date.now() + ms;
  for (let i = 0; Date.now() < until; i++) {
    for (let k = 0; k < (i * 7) % 4; k++) await page.click(`button[data-button="${products[(i + k) % products.length]}"]`);
    // A few runs per flush, so that p50, p95 and max of an interval tell apart.
    if (i % 2 === 0) for (let k = 0; k < 2 + (i % 3); k++) await page.click("#run-work");
    if (i % 3 === 0) await page.click("#call-worker");
    await page.waitForTimeout(1500);
  }
}

beforeAll(async () => {
  base = await startDemo();
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  if (child && child.exitCode === null) {
    const exited = new Promise((r) => child!.once("exit", r));
    child.kill("SIGTERM");
    await exited;
  }
});

describe("the demo server", () => {
  it("prints a 127.0.0.1 URL with the port it bound (PORT=0: one the kernel picked)", () => {
    expect(base).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(Number(new URL(base).port)).toBeGreaterThan(0);
    expect(output).toContain("embedded in-memory backend");
  });

  it("keeps the token on the server: the backend refuses token-less reads, the query proxy refuses writes", async () => {
    const direct = await fetch(`${base}/api/query?q=${encodeURIComponent("fetch('demo_clicks_count')")}&start=0`);
    expect(direct.status).toBe(401);
    const write = await fetch(`${base}/query/api/put`, { method: "POST", body: "[]" });
    expect(write.status).toBe(405);
    const proxied = await fetch(`${base}/query/api/query?q=${encodeURIComponent("fetch('demo_clicks_count')")}&start=0`, {
      headers: { authorization: "Bearer read-only-demo" },
    });
    expect(proxied.status).toBe(200);
    const page = await (await fetch(`${base}/`)).text();
    expect(page).toContain('<script src="/apptuit.iife.js"></script>');
    expect(page.match(/<script\b/g)).toHaveLength(3); // the SDK, uPlot, the demo's own code
  });

  it("charts the page's clicks, timed work and the Worker's request metrics from the backend", async () => {
    const page = await browser!.newPage({ viewport: { width: 1280, height: 1080 } });
    const pageErrors: string[] = [];
    page.on("pageerror", (error) => pageErrors.push(error.message));
    await page.goto(`${base}/`);
    await page.waitForFunction(() => (window as unknown as { __demo?: DemoState }).__demo?.ready === true, undefined, { timeout: 15_000 });

    for (let i = 0; i < 3; i++) await page.click('button[data-button="add_to_cart"]');
    for (let i = 0; i < 2; i++) await page.click('button[data-button="like"]');
    await page.click('button[data-button="checkout"]');
    for (let i = 0; i < 3; i++) {
      await page.click("#run-work");
      await page.waitForFunction((n) => document.getElementById("log")!.textContent!.includes(`${n} runs`), i + 1);
    }
    for (let i = 0; i < 3; i++) {
      await page.click("#call-worker");
      await page.waitForFunction(() => !(document.getElementById("call-worker") as HTMLButtonElement).disabled);
    }

    // A flush (2 s) and a chart refresh (2.5 s) later, every chart shows what was done.
    await page.waitForFunction(
      () => {
        const demo = (window as unknown as { __demo: DemoState }).__demo;
        const sum = (c?: Column) => (c?.values ?? []).reduce<number>((s, v) => s + (v ?? 0), 0);
        const clicks = demo.tables.clicks?.columns ?? [];
        const requests = demo.tables.workerRequests?.columns ?? [];
        const quotes = requests.filter((c) => c.tags.route === "/worker/api/quote").reduce((s, c) => s + sum(c), 0);
        return (
          sum(clicks.find((c) => c.tags.button === "add_to_cart")) === 3 &&
          sum(clicks.find((c) => c.tags.button === "like")) === 2 &&
          // The page flushes its clicks on its own 2 s timer, the Worker its quotes on the next
          // request: the quotes can be in while the last clicks are not yet, so wait for both.
          sum(clicks.find((c) => c.tags.button === "checkout")) === 1 &&
          sum(clicks.find((c) => c.tags.button === "run_work")) === 3 &&
          sum(clicks.find((c) => c.tags.button === "call_worker")) === 3 &&
          sum(demo.tables.work?.columns[0]) > 0 &&
          quotes === 3 &&
          // runtimeMetrics: FCP and TTFB after load, LCP at the first click, via the relay and back
          ["FCP", "TTFB", "LCP"].every((k) => demo.vitals[k] !== undefined) &&
          ["clicks", "work", "workerRequests", "workerLatency"].every((id) => (demo.charts[id]?.data[0]?.length ?? 0) > 0)
        );
      },
      undefined,
      { timeout: 30_000, polling: 500 },
    );

    const state = await demoState(page);
    const clicks = state.tables.clicks!.columns;
    expect(total(clicks.find((c) => c.tags.button === "add_to_cart"))).toBe(3);
    expect(total(clicks.find((c) => c.tags.button === "checkout"))).toBe(1);
    expect(total(clicks.find((c) => c.tags.button === "run_work"))).toBe(3);
    expect(total(clicks.find((c) => c.tags.button === "call_worker"))).toBe(3);
    // Tags: the page's own, plus the relay's server-side one.
    expect(clicks[0]!.tags).toMatchObject({ app: "demo", relay: "demo" });
    // The plotted p50 of the timed work (buckets without work are hidden): at least the 20 ms floor.
    const p50 = state.charts.work!.data[1]!.filter((v): v is number => v !== null);
    expect(p50.length).toBeGreaterThan(0);
    for (const v of p50) expect(v).toBeGreaterThanOrEqual(19);
    // The Worker: every quote call counted (2xx or 5xx), and the page's background health polls.
    const routes = state.tables.workerRequests!.columns.map((c) => c.tags.route);
    expect(routes).toContain("/worker/api/quote");
    expect(routes).toContain("/worker/api/health");
    // The uPlot instances hold the series drawn: one per button clicked, per route/status.
    expect(state.charts.clicks!.data.length - 1).toBe(clicks.length);
    expect(state.charts.workerLatency!.data.slice(1).some((values) => values.some((v) => v !== null && v > 0))).toBe(true);
    // Core Web Vitals recorded by runtimeMetrics, read back from the backend: plausible milliseconds.
    expect(state.vitals.FCP).toBeGreaterThan(0);
    expect(state.vitals.LCP).toBeGreaterThanOrEqual(state.vitals.FCP!);
    expect(state.vitals.TTFB).toBeLessThan(state.vitals.FCP!);
    expect(state.errors).toEqual([]);
    expect(pageErrors).toEqual([]);

    // Keep a picture; for the README's one, first use the page for a while so the charts fill.
    const update = process.env.UPDATE_SCREENSHOT === "1";
    if (update) {
      await tour(page, 45_000);
      await page.mouse.move(0, 0);
    }
    await page.waitForFunction(
      (n) => (window as unknown as { __demo: DemoState }).__demo.refreshes > n + 1,
      (await demoState(page)).refreshes,
    );
    const path = update ? join(root, "demo/screenshot.png") : join(mkdtempSync(join(tmpdir(), "apptuit-demo-")), "screenshot.png");
    await page.screenshot({ path, fullPage: true });
    expect(existsSync(path)).toBe(true);
    await page.close();
  }, 120_000);
});
