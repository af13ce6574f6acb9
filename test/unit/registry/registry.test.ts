import { describe, expect, it } from "vitest";
import { type Counter, MetricKindError, MetricsRegistry, SERIES_REFUSED } from "../../../src/registry";
import type { CollectedPoint } from "../../../src/core/types";

const SDK = { sdk: "apptuit-js" }; // the registry's own points carry the reporter's meta tag
const fields = (points: CollectedPoint[], name: string): string[] =>
  points.filter((p) => p.metric.startsWith(`${name}.`)).map((p) => p.metric.slice(name.length + 1));
const value = (points: CollectedPoint[], metric: string, tags: Record<string, string> = {}): number | undefined =>
  points.find((p) => p.metric === metric && JSON.stringify(p.tags) === JSON.stringify(tags))?.value;

describe("MetricsRegistry lookups", () => {
  it("returns the same handle for the same name and tags in any key order", () => {
    const r = new MetricsRegistry();
    const a = r.counter("requests", { method: "GET", status: "200" });
    expect(r.counter("requests", { status: "200", method: "GET" })).toBe(a);
    expect(r.counter("requests", { method: "GET", status: "200" })).toBe(a);
    expect(r.counter("requests", { method: "GET", status: "500" })).not.toBe(a);
    expect(r.counter("requests", { method: "GET" })).not.toBe(a);
    expect(r.counter("requests", { method: "GET", status: "200", extra: "x" })).not.toBe(a);
    expect(r.counter("requests")).not.toBe(a);
    expect(r.counter("requests", {})).toBe(r.counter("requests"));
    expect(r.size).toBe(5);
  });

  it("accepts Python-style encoded names, compact or spaced, as the same series", () => {
    const r = new MetricsRegistry();
    const a = r.counter("order_count", { city: "NYC", shop: "1" });
    expect(r.counter('order_count{"city": "NYC", "shop": "1"}')).toBe(a);
    expect(r.counter('order_count{"shop":"1","city":"NYC"}')).toBe(a);
    expect(r.counter('order_count{"shop":"1","city":"NYC"}')).toBe(a); // cached path
    expect(r.counter('order_count{"city": "NYC"}', { shop: "1" })).toBe(a);
    r.counter('order_count{"city": "NYC", "shop": "1"}').inc(3);
    expect(a.count).toBe(3);
    expect(r.collect()).toEqual([{ metric: "order_count.count", tags: { city: "NYC", shop: "1" }, value: 3 }]);
  });

  it("keeps __proto__ and constructor keys of an encoded name as plain tags", () => {
    const r = new MetricsRegistry();
    const c = r.counter('evil{"__proto__": "p", "constructor": "x"}');
    c.inc();
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    const points = r.collect();
    expect(points).toHaveLength(1);
    expect(Object.keys(points[0]!.tags).sort()).toEqual(["__proto__", "constructor"]);
    expect(Object.getPrototypeOf(points[0]!.tags)).toBe(Object.prototype);
    expect(r.counter('evil{"constructor": "x", "__proto__": "p"}')).toBe(c);
  });

  it("treats tag keys named like Object.prototype members safely", () => {
    const r = new MetricsRegistry();
    const a = r.counter("x", { toString: "a" });
    const b = r.counter("x", { toString: "b" });
    expect(a).not.toBe(b);
    expect(r.counter("x", { toString: "a" })).toBe(a);
    expect(r.counter("x", {})).not.toBe(a);
  });

  it("turns non-string tag values into strings and drops undefined ones", () => {
    const r = new MetricsRegistry();
    const a = r.counter("x", { status: "200" });
    expect(r.counter("x", { status: 200 as unknown as string })).toBe(a);
    expect(r.counter("x", { status: "200", region: undefined as unknown as string })).toBe(a);
  });

  it("keeps series apart whatever characters their values contain", () => {
    const r = new MetricsRegistry();
    const a = r.counter("x", { a: "1\u0000b", b: "2" });
    const b = r.counter("x", { a: "1", b: "b\u00002" });
    expect(a).not.toBe(b);
    expect(r.counter("x", { b: "2", a: "1\u0000b" })).toBe(a);
  });

  it("in strict mode, throws a MetricKindError when a name is reused with another kind", () => {
    const r = new MetricsRegistry({ strict: true });
    r.counter("latency", { a: "1" });
    expect(() => r.histogram("latency")).toThrow(MetricKindError);
    expect(() => r.meter("latency", { a: "1" })).toThrow(/already registered as a counter/);
    expect(() => r.timer('latency{"a": "2"}')).toThrow(MetricKindError);
    try {
      r.gauge("latency");
    } catch (e) {
      expect(e).toMatchObject({ name: "MetricKindError", metric: "latency", existing: "counter", requested: "gauge" });
    }
  });

  it("finds series again after the trie reorders a high-cardinality key", () => {
    const r = new MetricsRegistry();
    const handles = new Map<string, Counter>();
    // "a_user" sorts first and has a value per series: the trie must move it down.
    for (let i = 0; i < 500; i++) handles.set(`${i}`, r.counter("hits", { a_user: `u${i}`, b_method: i % 2 ? "GET" : "PUT" }));
    for (let i = 0; i < 500; i++) {
      const c = r.counter("hits", { b_method: i % 2 ? "GET" : "PUT", a_user: `u${i}` });
      expect(c).toBe(handles.get(`${i}`));
      c.inc(i);
    }
    const points = r.collect();
    expect(points).toHaveLength(500);
    expect(value(points, "hits.count", { b_method: "GET", a_user: "u7" })).toBe(7);
  });
});

describe("counts", () => {
  it("are exact under interleaved updates through kept and looked-up handles", async () => {
    const r = new MetricsRegistry();
    const kept = r.counter("jobs", { queue: "a", kind: "x" });
    const meter = r.meter("events");
    const tasks = Array.from({ length: 50 }, async (_, t) => {
      for (let i = 0; i < 100; i++) {
        if ((t + i) % 3 === 0) await Promise.resolve();
        if (i % 2) kept.inc();
        else r.counter("jobs", { kind: "x", queue: "a" }).inc(2);
        if (i % 10 === 0) await new Promise((resolve) => setTimeout(resolve, 0));
        r.counter("jobs", { kind: "x", queue: "a" }).dec();
        meter.mark(t % 2 ? 1 : 3);
      }
    });
    await Promise.all(tasks);
    // Each task: 50 × 1 + 50 × 2 − 100 = 50.
    expect(kept.count).toBe(50 * 50);
    expect(meter.count).toBe(25 * 100 * 1 + 25 * 100 * 3);
    expect(value(r.collect(), "jobs.count", { kind: "x", queue: "a" })).toBe(2500);
  });
});

describe("gauges", () => {
  it("reads a callback gauge at each collection", () => {
    const r = new MetricsRegistry();
    const queue: number[] = [];
    r.gauge("queue_length", { q: "jobs" }, () => queue.length);
    expect(value(r.collect(), "queue_length.value", { q: "jobs" })).toBe(0);
    queue.push(1, 2, 3);
    expect(value(r.collect(), "queue_length.value", { q: "jobs" })).toBe(3);
    const plain = r.gauge("temperature");
    expect(fields(r.collect(), "temperature")).toEqual([]); // never set: nothing to report
    plain.set(21.5);
    expect(value(r.collect(), "temperature.value")).toBe(21.5);
    expect(r.gauge("untagged_cb", () => 7).value).toBe(7);
  });

  it("skips a gauge whose callback throws or returns NaN, and collects the rest", () => {
    const r = new MetricsRegistry();
    r.gauge("bad", () => {
      throw new Error("boom");
    });
    r.gauge("nan", () => Number.NaN);
    r.counter("ok").inc();
    expect(r.collect().map((p) => p.metric)).toEqual(["ok.count"]);
  });
});

describe("collect", () => {
  it("names fields as docs/metrics.md", () => {
    let t = 0;
    const r = new MetricsRegistry({ now: () => t });
    r.counter("c").inc();
    r.gauge("g").set(1);
    r.meter("m").mark();
    r.histogram("h").update(5);
    r.timer("t").update(12);
    t = 10_000;
    const points = r.collect();
    const meter = ["count", "mean_rate", "1m_rate", "5m_rate", "15m_rate"];
    const histogram = [
      "count",
      "avg",
      "min",
      "max",
      "std_dev",
      "50_percentile",
      "75_percentile",
      "95_percentile",
      "99_percentile",
      "999_percentile",
    ];
    expect(fields(points, "c")).toEqual(["count"]);
    expect(fields(points, "g")).toEqual(["value"]);
    expect(fields(points, "m")).toEqual(meter);
    expect(fields(points, "h")).toEqual(histogram);
    expect(fields(points, "t")).toEqual([...meter, ...histogram.slice(1), "sum"]);
    expect(points.every((p) => Number.isFinite(p.value))).toBe(true);
  });

  it("reports an empty histogram as zeros", () => {
    const r = new MetricsRegistry();
    r.histogram("h");
    expect(r.collect().map((p) => p.value)).toEqual(new Array(10).fill(0));
  });
});

describe("cardinality bound", () => {
  it("refuses new series past maxSeries without throwing, and reports the refusals", () => {
    const r = new MetricsRegistry({ maxSeries: 3 });
    r.counter("a", { i: "1" }).inc();
    r.counter("a", { i: "2" }).inc();
    r.histogram("h").update(1);
    expect(r.collect().some((p) => p.metric.startsWith(SERIES_REFUSED))).toBe(false);
    const refused = r.counter("a", { i: "3" });
    refused.inc(100);
    expect(r.counter("a", { i: "4" })).toBe(refused); // one shared detached handle per kind
    r.meter("new_name").mark();
    r.timer('t{"x": "y"}').update(1);
    expect(r.size).toBe(3);
    // Existing series keep working.
    r.counter("a", { i: "1" }).inc();
    const points = r.collect();
    expect(value(points, `${SERIES_REFUSED}.count`, SDK)).toBe(4);
    expect(points.filter((p) => p.metric === "a.count").map((p) => p.value)).toEqual([2, 1]);
    expect(points.some((p) => p.metric.startsWith("new_name") || p.metric.startsWith("t."))).toBe(false);
    expect(value(r.collect({ temporality: "delta" }), `${SERIES_REFUSED}.count`, SDK)).toBe(4);
    r.counter("a", { i: "5" });
    expect(value(r.collect({ temporality: "delta" }), `${SERIES_REFUSED}.count`, SDK)).toBe(1);
    expect(value(r.collect(), `${SERIES_REFUSED}.count`, SDK)).toBe(5);
  });

  it("defaults to 10 000 series", () => {
    const r = new MetricsRegistry();
    for (let i = 0; i < 10_001; i++) r.counter("x", { i: String(i) });
    expect(r.size).toBe(10_000);
    expect(value(r.collect(), `${SERIES_REFUSED}.count`, SDK)).toBe(1);
  });
});
