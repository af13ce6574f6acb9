import { describe, expect, it } from "vitest";
import { Counter, INVALID_UPDATES, MetricsRegistry } from "../../../src/registry";
import type { CollectedPoint, Tags } from "../../../src/core/types";

const COUNT = `${INVALID_UPDATES}.count`;
const SDK = { sdk: "apptuit-js" };
const value = (points: CollectedPoint[], metric: string, tags: Tags = {}): number | undefined =>
  points.find((p) => p.metric === metric && JSON.stringify(p.tags) === JSON.stringify(tags))?.value;
const invalidCount = (points: CollectedPoint[]): number | undefined => value(points, COUNT, SDK);

/** What untyped code can hand a handle, none of it a finite number. */
const BAD: unknown[] = [Number.NaN, Infinity, -Infinity, "3", null, 1n, {}, [1], true, new Number(2)];
const bad = BAD as number[];

describe("ignored updates are counted", () => {
  it("counter: inc and dec ignore every bad value and count each call", () => {
    const r = new MetricsRegistry();
    const c = r.counter("c", { a: "b" });
    for (const v of bad) {
      c.inc(v);
      c.dec(v);
    }
    c.inc();
    c.inc(2.5);
    c.dec(0.5);
    expect(c.count).toBe(3);
    const points = r.collect();
    expect(value(points, "c.count", { a: "b" })).toBe(3);
    expect(invalidCount(points)).toBe(2 * BAD.length);
  });

  it("meter: mark ignores bad values (count and rates stay finite) and counts them", () => {
    const clock = { t: 0, now: () => clock.t };
    const r = new MetricsRegistry({ now: clock.now });
    const m = r.meter("m");
    for (const v of bad) m.mark(v);
    m.mark(4);
    clock.t = 10_000;
    expect(m.count).toBe(4);
    expect(m.meanRate()).toBeCloseTo(0.4);
    const points = r.collect();
    expect(points.filter((p) => p.metric.startsWith("m.")).every((p) => Number.isFinite(p.value))).toBe(true);
    expect(invalidCount(points)).toBe(BAD.length);
  });

  it("histogram and timer: update ignores bad values and counts them", () => {
    const r = new MetricsRegistry();
    const h = r.histogram("h");
    const t = r.timer("t");
    for (const v of bad) {
      h.update(v);
      t.update(v);
    }
    h.update(7);
    t.update(-0);
    t.update(3);
    expect(h.snapshot()).toMatchObject({ count: 1, sum: 7 });
    expect(t.count).toBe(2);
    expect(t.snapshot().sum).toBe(3);
    expect(invalidCount(r.collect())).toBe(2 * BAD.length);
  });

  it("timer: a clock that yields NaN makes time() and start() count, not record", () => {
    const r = new MetricsRegistry({ now: () => Number.NaN });
    const t = r.timer("t");
    expect(t.time(() => "ok")).toBe("ok");
    expect(Number.isNaN(t.start()())).toBe(true);
    expect(t.count).toBe(0);
    expect(invalidCount(r.collect())).toBe(2);
  });

  it("gauge: set ignores bad values, keeps its value (or its callback) and counts them", () => {
    const r = new MetricsRegistry();
    const g = r.gauge("g");
    g.set(5);
    for (const v of bad) g.set(v);
    expect(g.value).toBe(5);
    let n = 1;
    const cb = r.gauge("cb", () => n++);
    cb.set(Number.NaN);
    expect(cb.value).toBe(1); // still a callback gauge
    const points = r.collect();
    expect(value(points, "g.value")).toBe(5);
    expect(value(points, "cb.value")).toBe(2);
    expect(invalidCount(points)).toBe(BAD.length + 1);
  });

  it("is not emitted before anything was ignored, and valid extremes are not counted", () => {
    const r = new MetricsRegistry();
    const calls: unknown[] = [];
    const r2 = new MetricsRegistry({ onInvalidUpdate: (...args) => calls.push(args) });
    for (const reg of [r, r2]) {
      reg.counter("c").inc(0);
      reg.counter("c").dec(-0);
      reg.counter("c").inc(Number.MAX_VALUE);
      reg.meter("m").mark(-1);
      reg.histogram("h").update(Number.MIN_VALUE);
      reg.histogram("h").update(-Number.MAX_VALUE);
      reg.timer("t").update(0);
      reg.gauge("g").set(-1e308);
      expect(reg.collect().some((p) => p.metric.startsWith(INVALID_UPDATES))).toBe(false);
      expect(reg.collect({ temporality: "delta" }).some((p) => p.metric.startsWith(INVALID_UPDATES))).toBe(false);
    }
    expect(calls).toEqual([]);
  });

  it("follows the collection's temporality, as series_refused does", () => {
    const r = new MetricsRegistry();
    const c = r.counter("c");
    c.inc(Number.NaN);
    c.inc(Number.NaN);
    expect(invalidCount(r.collect({ temporality: "delta" }))).toBe(2);
    expect(invalidCount(r.collect({ temporality: "delta" }))).toBe(0); // emitted (as 0) once something was ignored
    r.histogram("h").update(Infinity);
    expect(invalidCount(r.collect())).toBe(3); // cumulative collections reset nothing
    expect(invalidCount(r.collect({ temporality: "delta" }))).toBe(1);
    expect(invalidCount(r.collect())).toBe(3);
  });

  it("counts per registry, including updates to a handle refused by maxSeries", () => {
    const a = new MetricsRegistry({ maxSeries: 1 });
    const b = new MetricsRegistry();
    a.counter("x").inc(Number.NaN);
    const refused = a.counter("y");
    refused.inc(Number.NaN);
    refused.inc(1);
    b.counter("x").inc(Infinity);
    expect(invalidCount(a.collect())).toBe(2);
    expect(invalidCount(b.collect())).toBe(1);
  });

  it("a handle made outside a registry ignores bad values without failing", () => {
    const c = new Counter();
    c.inc(Number.NaN);
    c.inc(2);
    expect(c.count).toBe(2);
  });
});

describe("onInvalidUpdate", () => {
  it("receives the series' name, tags and the value, for every kind of series", () => {
    const calls: [string, Tags, unknown][] = [];
    const r = new MetricsRegistry({ maxSeries: 7, onInvalidUpdate: (metric, tags, v) => calls.push([metric, tags, v]) });
    r.counter("requests", { method: "GET", status: "200" }).inc(Number.NaN);
    r.counter("requests", { status: "500", method: "GET" }).dec(Infinity);
    r.counter('orders{"city": "NYC"}').inc("3" as unknown as number);
    r.meter("m").mark(-Infinity);
    r.histogram("h", { "a b": "odd key" }).update(Number.NaN); // a series of the family's general map
    r.timer("t", { route: "/x" }).update(Number.NaN);
    r.gauge("g", { host: "h1" }).set(Number.NaN);
    r.counter("over", { the: "bound" }).inc(Number.NaN);
    expect(calls).toEqual([
      ["requests", { method: "GET", status: "200" }, Number.NaN],
      ["requests", { method: "GET", status: "500" }, Infinity],
      ["orders", { city: "NYC" }, "3"],
      ["m", {}, -Infinity],
      ["h", { "a b": "odd key" }, Number.NaN],
      ["t", { route: "/x" }, Number.NaN],
      ["g", { host: "h1" }, Number.NaN],
      ["apptuit.registry.series_refused", {}, Number.NaN],
    ]);
    expect(invalidCount(r.collect())).toBe(8);
  });

  it("names the right series among many, every time, with tags the callback may keep or change", () => {
    const calls: [string, Tags][] = [];
    const r = new MetricsRegistry({ onInvalidUpdate: (metric, tags) => calls.push([metric, tags]) });
    const handles = Array.from({ length: 100 }, (_, i) => r.counter("c", { i: String(i), even: String(i % 2 === 0) }));
    handles[37]!.inc(Number.NaN);
    calls[0]![1].i = "changed";
    handles[37]!.inc(Number.NaN);
    handles[4]!.inc(Number.NaN);
    expect(calls).toEqual([
      ["c", { i: "changed", even: "false" }],
      ["c", { i: "37", even: "false" }],
      ["c", { i: "4", even: "true" }],
    ]);
    expect(r.collect().find((p) => p.metric === "c.count" && p.tags.i === "37")?.tags).toEqual({ i: "37", even: "false" });
  });

  it("a callback that throws is swallowed: the update returns, is still counted, and valid updates go on", () => {
    let calls = 0;
    const r = new MetricsRegistry({
      onInvalidUpdate: () => {
        calls++;
        throw new Error("debug hook broke");
      },
    });
    const c = r.counter("c");
    const h = r.histogram("h");
    expect(() => c.inc(Number.NaN)).not.toThrow();
    expect(() => h.update(Infinity)).not.toThrow();
    expect(() => r.gauge("g").set(Number.NaN)).not.toThrow();
    c.inc(2);
    h.update(1);
    expect(calls).toBe(3);
    const points = r.collect();
    expect(value(points, "c.count")).toBe(2);
    expect(value(points, "h.count")).toBe(1);
    expect(invalidCount(points)).toBe(3);
  });

  it("is not re-entered by a bad update the callback makes itself; that update is still counted", () => {
    const calls: string[] = [];
    const r = new MetricsRegistry({
      onInvalidUpdate: (metric) => {
        calls.push(metric);
        r.counter("from_callback").inc(Number.NaN);
      },
    });
    r.counter("c").inc(Number.NaN);
    expect(calls).toEqual(["c"]);
    expect(invalidCount(r.collect())).toBe(2);
  });
});
