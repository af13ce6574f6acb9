// The 64 KiB keepalive quota: a page with many series closed right after recording. The
// page-hide flush hands what fits the quota to beacons / keepalive requests, which the
// browser completes after the page is gone: when all bodies fit, every point arrives, with
// its exact value, none twice. The rest goes to ordinary requests, which the browser may
// cancel once the page is gone (no spec promises them; on loopback Chromium usually
// completes them): before sending, the page notes their points in localStorage and takes
// them off as answers arrive, so a point is either stored or counted there — the next page
// of the origin reports that count as unconfirmed. Nothing is lost uncounted.
import type { BrowserContext, Page } from "playwright-core";
import type { StoredPoint } from "../../src/backend";
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

const QUOTA = 65_536;
const utf8 = (s: string) => Buffer.byteLength(s, "utf8");
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The stored points of the quota page with `series` series (its `page` tag), and its hits among them. */
function stored(series: number): { points: StoredPoint[]; hits: StoredPoint[] } {
  const points = fx.backend.points().filter((p) => p.tags.page === `q${series}`);
  return { points, hits: points.filter((p) => p.metric === "quota_hits_count") };
}

/**
 * The stored points as the page counted them when it sent them: one per row, but for the
 * fields the relay expands a relay page's send-time timer into (one point on the page;
 * direct mode sends those fields as points).
 */
const sentOf = (points: StoredPoint[], mode: Mode) =>
  mode === "direct"
    ? points.length
    : new Set(points.map((p) => identity(p).replace(/^apptuit_reporter_send_time_[a-z0-9_]+\{/, "apptuit_reporter_send_time{"))).size;

/** The `apptuit:pending:*` entries in the origin's localStorage, as another page sees them. */
const pendingEntries = (page: Page) =>
  page.evaluate(() =>
    Object.keys(localStorage)
      .filter((k) => k.startsWith("apptuit:pending:"))
      .map((k) => JSON.parse(localStorage.getItem(k)!) as { n: number; t: number }),
  );

/**
 * Opens the quota page in a fresh context, lets it record, closes it (running its page-hide
 * flush) and opens a blank page of the same origin (no SDK: it leaves the ledger alone).
 */
async function recordAndClose(mode: Mode, series: number) {
  fx.backend.reset();
  fx.log.length = 0;
  const path = `/quota-${mode}-${series}`;
  fx.pages.set(path, quotaPage(mode, series));
  const context: BrowserContext = await fx.browser.newContext();
  const page = await context.newPage();
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  await page.goto(fx.url + path);
  await page.waitForFunction(() => (window as unknown as { pageReady?: boolean }).pageReady === true);
  const { expected, sent } = await page.evaluate(() => {
    const w = window as unknown as { expectedPoints: number; sentPoints: number };
    return { expected: w.expectedPoints, sent: w.sentPoints };
  });
  await page.close({ runBeforeUnload: true });
  const next = await context.newPage();
  await next.goto(`${fx.url}/blank`);
  return { context, next, errors, expected, sent };
}

/** Checks common to every size: each stored point once, with its exact value; bodies within the max body. */
function checkStored(points: StoredPoint[], hits: StoredPoint[]): number[] {
  expect(new Set(points.map(identity)).size).toBe(points.length);
  expect(new Set(hits.map((p) => p.tags.series)).size).toBe(hits.length);
  for (const p of hits) expect(p.value).toBe(Number(p.tags.series!.slice(1)) + 1);
  const bodies = fx.log.filter((r) => r.method === "POST").map((r) => utf8(r.body));
  expect(bodies.every((b) => b <= QUOTA)).toBe(true);
  return bodies;
}

const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);

// Relay bodies are compact text (1 000 series ≈ 25 KB), direct ones JSON (200 series ≈ 24 KB);
// the larger sizes need 67–136 KB, beyond the quota.
describe.each<[Mode, number[], number[]]>([
  ["relay", [1_000], [2_500, 5_000]],
  ["direct", [200], [600, 1_000]],
])("%s mode", (mode, within, beyond) => {
  it("delivers every point of a page closed right after recording, each once, exact values, when its bodies fit the quota", async () => {
    const rows: string[] = [];
    for (const series of within) {
      const { context, next, errors, expected } = await recordAndClose(mode, series);
      await until(
        () => stored(series).hits.length,
        (n) => n >= series,
      );
      await settled(fx.backend, 1_000);
      const { points, hits } = stored(series);
      expect(errors).toEqual([]);
      expect(hits).toHaveLength(series);
      expect(points).toHaveLength(expected);
      const bodies = checkStored(points, hits);
      // All of it went within the quota: no ordinary request, so nothing noted for the next page.
      expect(sum(bodies)).toBeLessThanOrEqual(QUOTA);
      expect(await pendingEntries(next)).toEqual([]);
      rows.push(`${series} series → ${points.length} points in ${bodies.length} bodies, ${sum(bodies)} bytes`);
      await context.close();
    }
    console.log(`[quota] ${mode}, within the quota:\n  ${rows.join("\n  ")}`);
  });

  it("beyond the quota: each point stored at most once with its exact value, every other one counted for the next page", async () => {
    const rows: string[] = [];
    for (const series of beyond) {
      const { context, next, errors, sent } = await recordAndClose(mode, series);
      // The ledger is read before the store: a request's points are stored before its answer
      // takes them off the ledger, so a point is never missed by both reads.
      const read = async () => {
        const entries = await pendingEntries(next);
        return { entries, pending: sum(entries.map((e) => e.n)), ...stored(series) };
      };
      const end = Date.now() + 10_000;
      let state = await read();
      while (state.hits.length + state.pending < series) {
        if (Date.now() > end)
          throw new Error(`${series} series: ${state.hits.length} stored + ${state.pending} pending < ${series} after 10 s`);
        await sleep(50);
        state = await read();
      }
      await settled(fx.backend, 1_000);
      const { entries, pending, points, hits } = await read();
      expect(errors).toEqual([]);
      const bodies = checkStored(points, hits);
      // One page, one ledger entry, never more than the page had; nothing lost uncounted
      // (the ledger counts points as the page sent them).
      expect(entries.length).toBeLessThanOrEqual(1);
      expect(pending).toBeLessThanOrEqual(sent);
      expect(hits.length + pending).toBeGreaterThanOrEqual(series);
      expect(sentOf(points, mode) + pending).toBeGreaterThanOrEqual(sent);
      // The ordinary requests were used: their bodies arrived (more than the quota) or were counted.
      expect(sum(bodies) > QUOTA || pending > 0).toBe(true);
      const delivered = `${((100 * hits.length) / series).toFixed(1)} %`;
      rows.push(
        `${series} series → ${points.length} points (${delivered} of the series) in ${bodies.length} bodies, ${sum(bodies)} bytes; ${pending} counted as pending`,
      );
      await context.close();
    }
    console.log(`[quota] ${mode}, beyond the quota:\n  ${rows.join("\n  ")}`);
  });
});

it("the next page of the origin reports points a dead page never saw answered, once", async () => {
  fx.backend.reset();
  fx.pages.set(
    "/ledger",
    `<!doctype html><meta charset="utf-8"><script src="/dist/apptuit.iife.js"></script>
<script>
  // Left by a page that died 10 minutes ago with 321 points in unanswered requests.
  localStorage.setItem("apptuit:pending:gone", JSON.stringify({ n: 321, t: Date.now() - 600000 }));
  const handle = Apptuit.init(${initOptions("relay")});
  window.flushed = handle.flush().then(() => handle.flush()).then(() => Object.keys(localStorage));
</script>`,
  );
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
