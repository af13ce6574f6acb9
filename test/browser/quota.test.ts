// The 64 KiB keepalive quota: a page with many series closed right after recording. The
// page-hide flush hands what fits the quota to beacons / keepalive requests and the rest
// to ordinary requests; on loopback Chromium completes those, so every point arrives,
// with its exact value, none twice. A page that dies before their answers leaves their
// count in localStorage; the next page of the origin reports it as unconfirmed.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { initOptions, quotaPage, type Mode } from "./pages";
import { identity, settled, startFixture, until, type BrowserFixture } from "./support";

let fx: BrowserFixture;
beforeAll(async () => {
  fx = await startFixture();
});
afterAll(async () => {
  await fx?.close();
});

const utf8 = (s: string) => Buffer.byteLength(s, "utf8");

describe.each<[Mode, number[]]>([
  ["relay", [1_000, 2_500, 5_000]],
  ["direct", [200, 600, 1_000]],
])("%s mode", (mode, sizes) => {
  it("delivers every point of a page closed right after recording, each once, exact values", async () => {
    const rows: string[] = [];
    for (const series of sizes) {
      fx.backend.reset();
      fx.log.length = 0;
      const path = `/quota-${mode}-${series}`;
      fx.pages.set(path, quotaPage(mode, series));
      const context = await fx.browser.newContext();
      const page = await context.newPage();
      const errors: string[] = [];
      page.on("pageerror", (e) => errors.push(String(e)));
      await page.goto(fx.url + path);
      await page.waitForFunction(() => (window as unknown as { pageReady?: boolean }).pageReady === true);
      await page.close({ runBeforeUnload: true });
      await until(() => fx.backend.points().filter((p) => p.metric === "quota_hits_count").length, (n) => n >= series);
      const points = await settled(fx.backend, 1_000);
      const hits = points.filter((p) => p.metric === "quota_hits_count");
      const bodies = fx.log.filter((r) => r.method === "POST").map((r) => utf8(r.body));
      expect(errors).toEqual([]);
      expect(hits).toHaveLength(series);
      expect(new Set(points.map(identity)).size).toBe(points.length);
      for (const p of hits) expect(p.value).toBe(Number(p.tags.series!.slice(1)) + 1);
      expect(bodies.every((b) => b <= 65_536)).toBe(true);
      rows.push(`${series} series → ${points.length} points in ${bodies.length} bodies, ${bodies.reduce((a, b) => a + b, 0)} bytes`);

      // What the closed page handed to ordinary requests is noted for the next page (it did not live to see the answers).
      const next = await context.newPage();
      await next.goto(`${fx.url}/blank`);
      const pending = await next.evaluate(() =>
        Object.keys(localStorage)
          .filter((k) => k.startsWith("apptuit:pending:"))
          .map((k) => JSON.parse(localStorage.getItem(k)!) as { n: number; t: number }),
      );
      expect(pending.length).toBeLessThanOrEqual(1);
      expect(pending.reduce((s, e) => s + e.n, 0)).toBeLessThanOrEqual(points.length);
      await context.close();
    }
    console.log(`[quota] ${mode}:\n  ${rows.join("\n  ")}`);
  });
});

it("the next page of the origin reports points a dead page never saw answered, once", async () => {
  fx.backend.reset();
  fx.pages.set("/ledger", `<!doctype html><meta charset="utf-8"><script src="/dist/apptuit.iife.js"></script>
<script>
  // Left by a page that died 10 minutes ago with 321 points in unanswered requests.
  localStorage.setItem("apptuit:pending:gone", JSON.stringify({ n: 321, t: Date.now() - 600000 }));
  const handle = Apptuit.init(${initOptions("relay")});
  window.flushed = handle.flush().then(() => handle.flush()).then(() => Object.keys(localStorage));
</script>`);
  const context = await fx.browser.newContext();
  const page = await context.newPage();
  await page.goto(`${fx.url}/ledger`);
  const keys = await page.evaluate(() => (window as unknown as { flushed: Promise<string[]> }).flushed);
  await context.close();
  expect(keys.filter((k) => k.startsWith("apptuit:pending:"))).toEqual([]);
  const reported = fx.backend.points().filter((p) => p.metric === "apptuit_browser_unload_unconfirmed_count");
  // Delta: 321 once, then nothing more (two flushes, and the page-hide flush on close).
  expect(reported[0]?.value).toBe(321);
  expect(reported.reduce((s, p) => s + p.value, 0)).toBe(321);
});
