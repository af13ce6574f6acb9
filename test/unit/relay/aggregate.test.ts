// The aggregating relay: many writers of one series, one write per series and window,
// exact totals and percentiles over every writer's values (docs/aggregation.md).
import { describe, expect, it } from "vitest";
import { pyformancePercentile } from "../../support/percentile";
import { openTabs } from "../../support/tabs";
import { makeRelay, post, RELAY_URL, useUpstream } from "./fixtures";

const { backend } = useUpstream();

type Stored = ReturnType<typeof backend.points>[number];
const sum = (points: Stored[], metric: string) => points.filter((p) => p.metric === metric).reduce((s, p) => s + p.value, 0);

/** Every series and field has at most one point per timestamp (window). */
function expectOnePointPerSeriesAndWindow(points: Stored[]): void {
  const seen = new Set<string>();
  for (const p of points) {
    const key = `${p.metric}${JSON.stringify(Object.entries(p.tags).sort())}@${p.timestamp}`;
    expect(seen.has(key), key).toBe(false);
    seen.add(key);
  }
}

describe("aggregating relay", () => {
  it("merges 200 tabs' deltas into one point per series and field: exact totals, percentiles within 1 % of the union's", async () => {
    // 10-minute windows: the 200 flushes almost never straddle a boundary (checked below if they do).
    const relay = makeRelay({ aggregate: { windowMs: 600_000 } });
    const { tabs, recorded } = openTabs(200, RELAY_URL, (url, init) => relay(new Request(url, init)));
    for (const tab of tabs) tab.record(0);
    const results = await Promise.all(tabs.map((tab) => tab.handle.flush()));
    expect(results.every((r) => r.ok)).toBe(true);
    expect(backend.stats().puts).toBe(0); // held, not written per tab
    expect(relay.stats().series).toBeGreaterThan(0);

    await relay.flush();
    const points = backend.points();
    expectOnePointPerSeriesAndWindow(points);
    const windows = new Set(points.filter((p) => p.metric === "tabs_clicks_count").map((p) => p.timestamp));
    expect(windows.size).toBeLessThanOrEqual(2); // the flushes may straddle a window boundary
    for (const t of windows) expect(t % 600).toBe(0); // window start, integer seconds

    expect(sum(points, "tabs_clicks_count")).toBe(recorded.clicks);
    expect(sum(points, "tabs_views_count")).toBe(recorded.marks);
    expect(sum(points, "tabs_latency_count")).toBe(recorded.durations.length);
    expect(sum(points, "tabs_latency_sum")).toBeCloseTo(
      recorded.durations.reduce((s, v) => s + v, 0),
      6,
    );
    for (const p of points.filter((p) => p.metric === "tabs_views_mean_rate")) {
      const count = points.find((c) => c.metric === "tabs_views_count" && c.timestamp === p.timestamp)!.value;
      expect(p.value).toBeCloseTo(count / 600, 9);
    }

    if (windows.size === 1) {
      const sorted = [...recorded.durations].sort((a, b) => a - b);
      const at = (metric: string) => points.find((p) => p.metric === metric)!.value;
      for (const [field, q] of [
        ["50", 0.5],
        ["95", 0.95],
        ["99", 0.99],
      ] as const) {
        const exact = pyformancePercentile(sorted, q);
        expect(Math.abs(at(`tabs_latency_${field}_percentile`) - exact) / exact, field).toBeLessThanOrEqual(0.01);
      }
      expect(at("tabs_latency_min")).toBe(sorted[0]);
      expect(at("tabs_latency_max")).toBe(sorted.at(-1));
      const mean = sorted.reduce((s, v) => s + v, 0) / sorted.length;
      expect(at("tabs_latency_avg")).toBeCloseTo(mean, 9);
      const variance = sorted.reduce((s, v) => s + (v - mean) ** 2, 0) / (sorted.length - 1);
      expect(at("tabs_latency_std_dev") / Math.sqrt(variance)).toBeCloseTo(1, 9);
      expect(at("tabs_cart_size_value")).toBeCloseTo(recorded.gaugeReadings.reduce((s, v) => s + v, 0) / recorded.gaugeReadings.length, 9);
    }
    // The relay's own meta metrics come with the window.
    expect(points.some((p) => p.metric === "apptuit_relay_series_count")).toBe(true);
    expect(relay.stats()).toMatchObject({ series: 0, refused: {}, dropped: 0 });
    await Promise.all(tabs.map((tab) => tab.handle.shutdown()));
  });

  it("writes a window once its grace has passed, by itself, at the window's start", async () => {
    const relay = makeRelay({ aggregate: { windowMs: 1_000, graceMs: 50 } });
    const { tabs, recorded } = openTabs(5, RELAY_URL, (url, init) => relay(new Request(url, init)));
    for (const tab of tabs) tab.record(0);
    await Promise.all(tabs.map((tab) => tab.handle.flush()));
    await expect.poll(() => sum(backend.points(), "tabs_clicks_count"), { timeout: 5_000 }).toBe(recorded.clicks);
    expect(relay.stats().windows).toBeGreaterThanOrEqual(1);
    expect(backend.points().every((p) => Number.isInteger(p.timestamp))).toBe(true);
    await Promise.all(tabs.map((tab) => tab.handle.shutdown()));
  });

  it("a delta arriving after its window was written joins the current window: counted once, as late", async () => {
    const relay = makeRelay({ aggregate: { windowMs: 10_000 } });
    const { tabs, recorded } = openTabs(1, RELAY_URL, (url, init) => relay(new Request(url, init)));
    tabs[0]!.record(0);
    await tabs[0]!.handle.flush();
    await relay.flush();
    const before = Math.floor(Date.now() / 1000) - 60; // a minute old: its window is long written
    const late = JSON.stringify({
      v: 2,
      t0: before,
      k: ["tabs.clicks.count", "button", "buy", "app", "tabs"],
      s: [[0, 0, 1, 2, 3, 4]],
      p: [[0, 0, 5]],
    });
    expect((await relay(post(late))).status).toBe(204);
    await relay.flush();
    expect(sum(backend.points(), "tabs_clicks_count")).toBe(recorded.clicks + 5);
    expect(relay.stats().late).toBe(1);
    await tabs[0]!.handle.shutdown();
  });

  it("aggregate: false passes each writer's deltas through as fields, as a registry of its own would report them", async () => {
    const relay = makeRelay({ aggregate: false });
    const { tabs, recorded } = openTabs(3, RELAY_URL, (url, init) => relay(new Request(url, init)));
    for (const tab of tabs) tab.record(0);
    for (const tab of tabs) await tab.handle.flush();
    const points = backend.points();
    expect(points.filter((p) => p.metric === "tabs_latency_99_percentile")).toHaveLength(3); // one per tab: not combinable
    expect(sum(points, "tabs_clicks_count")).toBe(recorded.clicks);
    expect(relay.stats().series).toBe(0);
  });

  it("left unset, a request with waitUntil (one of many isolates) is passed through, not held", async () => {
    const relay = makeRelay();
    const pending: Promise<unknown>[] = [];
    const { tabs, recorded } = openTabs(1, RELAY_URL, (url, init) => relay(new Request(url, init), { waitUntil: (p) => pending.push(p) }));
    tabs[0]!.record(0);
    await tabs[0]!.handle.flush();
    await Promise.all(pending);
    expect(sum(backend.points(), "tabs_clicks_count")).toBe(recorded.clicks);
    expect(relay.stats().series).toBe(0);
  });

  it("keeps failed window writes in a bounded buffer, writes them with the next window, and counts what it drops", async () => {
    let fail = true;
    const sent: number[] = [];
    const relay = makeRelay({
      aggregate: { windowMs: 10_000, maxBufferedPoints: 3 },
      client: {
        prepare: (points) => points.map((p) => ({ metric: p.metric, tags: p.tags ?? {}, timestamp: Number(p.timestamp), value: p.value })),
        send: async (points) => {
          if (fail) throw new Error("upstream down");
          sent.push(points.length);
          return { points: points.length, requests: 1 } as never;
        },
      },
    });
    const body = (value: number) =>
      JSON.stringify({ v: 2, t0: Math.floor(Date.now() / 1000), k: ["c.count", "k", "v"], s: [[0, 0, 1, 2]], p: [[0, 0, value]] });
    expect((await relay(post(body(1)))).status).toBe(204);
    await relay.flush();
    const first = relay.stats();
    expect(first.buffered).toBe(3);
    expect(first.dropped).toBeGreaterThan(0);
    fail = false;
    expect((await relay(post(body(2)))).status).toBe(204);
    await relay.flush();
    expect(relay.stats().buffered).toBe(0);
    expect(sent).toHaveLength(1);
    expect(sent[0]).toBeGreaterThan(3); // the buffered points went with the new window
  });
});
