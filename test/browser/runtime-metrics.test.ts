// Opt-in runtime metrics in Chromium: Core Web Vitals through web-vitals, the JS heap
// (performance.memory) and long tasks, delivered by an interval flush and the unload flush.
import { decodeCompact } from "../../src/relay";
import { afterAll, beforeAll, expect, it } from "vitest";
import { initOptions } from "./pages";
import { open, settled, startFixture, until, type BrowserFixture } from "./support";

let fx: BrowserFixture;
beforeAll(async () => {
  fx = await startFixture();
});
afterAll(async () => {
  await fx?.close();
});

type Win = {
  h: {
    registry: { counter(name: string): { count: number }; histogram(name: string): { count: number } };
    flush(): Promise<{ delivered: number; ok: boolean }>;
  };
};

const PAGE = `<!doctype html><meta charset="utf-8"><title>vitals</title>
<h1 id="title" style="font-size:48px">Runtime metrics</h1>
<p>Some text, so that the page has a contentful paint and a largest contentful paint.</p>
<button id="b" onclick="const t = performance.now(); while (performance.now() - t < 80) {}">click</button>
<script src="/dist/apptuit.iife.js"></script>
<script>window.h = Apptuit.init(${initOptions("relay", ", runtimeMetrics: true")});</script>`;

it("reports web vitals, heap and long tasks", async () => {
  fx.pages.set("/vitals", PAGE);
  const { page, errors } = await open(fx, "/vitals");
  await page.waitForLoadState("load");
  // A long task (> 50 ms on the main thread) and an interaction (finalises LCP, gives INP).
  // (In a task of the page's own: code run by page.evaluate is not a task the page observes.)
  await page.evaluate(
    () =>
      new Promise<void>((resolve) =>
        setTimeout(() => {
          const t = performance.now();
          while (performance.now() - t < 150) {}
          resolve();
        }, 0),
      ),
  );
  await page.click("#b");
  // Read without collecting (a relay page's collect hands its deltas to the caller).
  const recorded = (name: string) => {
    const { registry } = (window as unknown as Win).h;
    return (name === "browser.long_tasks" ? registry.counter(name).count : registry.histogram(name).count) > 0;
  };
  for (const name of ["browser.web_vitals.fcp", "browser.web_vitals.ttfb", "browser.long_tasks", "browser.web_vitals.lcp"]) {
    await page.waitForFunction(recorded, name);
  }
  const flushed = await page.evaluate(() => (window as unknown as Win).h.flush());
  expect(flushed.ok).toBe(true);
  const beforeClose = fx.backend.points().length;
  // Every series delta the reporter counts as delivered reached the relay (which expands each into its fields).
  const received = fx.log.filter((r) => r.method === "POST" && r.path === "/apptuit").flatMap((r) => decodeCompact(r.body));
  expect(received).toHaveLength(flushed.delivered);
  expect(beforeClose).toBeGreaterThan(0);
  await page.close({ runBeforeUnload: true });
  await until(
    () => fx.backend.points().length,
    (n) => n > beforeClose,
  );
  const points = await settled(fx.backend);
  expect(errors).toEqual([]);

  const sum = (metric: string) => points.filter((p) => p.metric === metric).reduce((s, p) => s + p.value, 0);
  const max = (metric: string) => Math.max(...points.filter((p) => p.metric === metric).map((p) => p.value));
  // Each vital once per page load, whichever flush carried it.
  for (const vital of ["fcp", "ttfb", "lcp", "cls"]) expect(sum(`browser_web_vitals_${vital}_count`), vital).toBe(1);
  expect(max("browser_web_vitals_fcp_max")).toBeGreaterThan(0);
  expect(max("browser_web_vitals_lcp_max")).toBeGreaterThanOrEqual(max("browser_web_vitals_fcp_max"));
  expect(max("browser_web_vitals_cls_max")).toBeGreaterThanOrEqual(0);
  // INP needs an interaction: the click (its 80 ms handler) is reported when the page is hidden.
  expect(sum("browser_web_vitals_inp_count")).toBe(1);
  expect(max("browser_web_vitals_inp_max")).toBeGreaterThanOrEqual(80);
  // Long tasks: the 150 ms loop (and the click handler's 80 ms).
  expect(sum("browser_long_tasks_count")).toBeGreaterThanOrEqual(2);
  expect(max("browser_long_tasks_duration_max")).toBeGreaterThanOrEqual(150);
  expect(sum("browser_long_tasks_count")).toBe(sum("browser_long_tasks_duration_count"));
  // Heap gauges (Chromium exposes performance.memory), on every flush.
  for (const gauge of ["used", "total", "limit"]) {
    const values = points.filter((p) => p.metric === `browser_memory_js_heap_${gauge}_bytes_value`).map((p) => p.value);
    expect(values.length, gauge).toBe(2);
    expect(
      values.every((v) => v > 0),
      gauge,
    ).toBe(true);
  }
});
