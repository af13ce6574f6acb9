// A page that loads ONLY dist/apptuit.iife.js records metrics and is
// closed (or navigated away); the backend receives every point of the final flush, once.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { expectedPoints, iifePage, type Mode } from "./pages";
import { identity, open, settled, startFixture, TOKEN, until, type BrowserFixture } from "./support";

let fx: BrowserFixture;
beforeAll(async () => {
  fx = await startFixture();
});
afterAll(async () => {
  await fx?.close();
});

const COUNTERS = 25;

describe.each<Mode>(["direct", "relay"])("IIFE page, %s mode", (mode) => {
  it.each(["close", "navigate"])("delivers the final flush exactly once on %s", async (how) => {
    fx.backend.reset();
    fx.log.length = 0;
    const path = `/iife-${mode}-${how}`;
    fx.pages.set(path, iifePage(mode, COUNTERS));
    const { page, errors } = await open(fx, path);
    await page.waitForFunction(() => (window as unknown as { pageReady?: boolean }).pageReady === true);
    expect(
      await page.evaluate(
        () => typeof (window as unknown as { Apptuit: { init: unknown; MetricsRegistry: unknown } }).Apptuit.MetricsRegistry,
      ),
    ).toBe("function");
    const expected = expectedPoints(mode, COUNTERS);
    const html = await page.content();
    expect(fx.backend.points()).toEqual([]); // nothing before the page goes away

    if (how === "close") await page.close({ runBeforeUnload: true });
    else await page.goto(`${fx.url}/blank`);

    await until(
      () => fx.backend.points().length,
      (n) => n >= expected,
    );
    const points = await settled(fx.backend);
    if (how === "navigate") await page.close();
    expect(errors).toEqual([]);

    // Exactly the final flush: every point once, one timestamp, nothing else.
    expect(points).toHaveLength(expected);
    expect(new Set(points.map(identity)).size).toBe(expected);
    expect(new Set(points.map((p) => p.timestamp)).size).toBe(1);

    const value = (metric: string, tags: Record<string, string> = {}) =>
      points.filter((p) => p.metric === metric && Object.entries(tags).every(([k, v]) => p.tags[k] === v)).map((p) => p.value);
    for (let i = 0; i < COUNTERS; i++) expect(value("clicks_count", { button: `b${i}` })).toEqual([i + 1]);
    expect(value("render_count")).toEqual([2]);
    expect(value("render_sum")).toEqual([40]);
    expect(value("render_max")).toEqual([30]);
    expect(value("payload_bytes_count", { kind: "json" })).toEqual([2]);
    expect(value("payload_bytes_avg", { kind: "json" })).toEqual([200]);
    expect(value("events_count")).toEqual([5]);
    expect(value("queue_length_value")).toEqual([7]);
    // Tags: point > reporter (page) > global default (runtime: browser).
    expect(points.filter((p) => p.metric === "clicks_count").every((p) => p.tags.page === "iife" && p.tags.runtime === "browser")).toBe(
      true,
    );
    expect(value("apptuit_reporter_send_total_count", { sdk: "apptuit-js" })).toEqual([0]);

    const puts = fx.log.filter((r) => r.method === "POST");
    if (mode === "direct") {
      expect(puts.every((r) => r.path === "/api/put?details" && r.headers.authorization === `Bearer ${TOKEN}`)).toBe(true);
    } else {
      // Relay mode: the token is nowhere in the page or in anything the page sent.
      expect(html).not.toContain(TOKEN);
      expect(puts.length).toBeGreaterThan(0);
      expect(puts.every((r) => r.path === "/apptuit" && r.headers["content-type"]?.startsWith("text/plain"))).toBe(true);
      for (const r of fx.log) expect(JSON.stringify(r)).not.toContain(TOKEN);
    }
  });
});
