// Each metric kind collects itself into a sink, in either form; the rate readings are
// defined once for meters and timers; a Family holds its series by itself.
import { describe, expect, it } from "vitest";
import type { SeriesDelta } from "../../../src/core/series-delta";
import type { Tags } from "../../../src/core/types";
import { Counter, Gauge, Histogram, Meter, Timer } from "../../../src/registry";
import { Family } from "../../../src/registry/family";
import { PointSink } from "../../../src/registry/fields";
import type { DeltaSink } from "../../../src/registry/sink";

function deltaSink(onError?: DeltaSink["onError"]) {
  const points: { metric: string; tags: Tags; value: number; delta: SeriesDelta }[] = [];
  const sink: DeltaSink = { deltas: true, onError, delta: (metric, tags, value, delta) => points.push({ metric, tags, value, delta }) };
  return { sink, points };
}

const fields = (sink: PointSink) => Object.fromEntries(sink.points.map((p) => [p.metric, p.value]));

describe("a metric's collect", () => {
  it("writes a counter's count, and moves its delta state only on delta collections", () => {
    const counter = new Counter();
    counter.inc(5);
    const cumulative = new PointSink(false, 0);
    counter.collect(cumulative, "hits", { a: "1" }, false);
    counter.collect(cumulative, "hits", { a: "1" }, false);
    expect(cumulative.points.map((p) => p.value)).toEqual([5, 5]);
    const { sink, points } = deltaSink();
    counter.collect(sink, "hits", {}, true);
    counter.inc(2);
    counter.collect(sink, "hits", {}, true);
    expect(points).toEqual([
      { metric: "hits.count", tags: {}, value: 5, delta: { kind: "sum" } },
      { metric: "hits.count", tags: {}, value: 2, delta: { kind: "sum" } },
    ]);
  });

  it("writes a meter's count and its rates at the sink's time", () => {
    const meter = new Meter(() => 0);
    meter.mark(10);
    const sink = new PointSink(false, 10_000);
    meter.collect(sink, "events", {}, true);
    expect(fields(sink)).toEqual({
      "events.count": 10,
      "events.mean_rate": 1,
      "events.1m_rate": 1,
      "events.5m_rate": 1,
      "events.15m_rate": 1,
    });
    const { sink: deltas, points } = deltaSink();
    meter.mark(3);
    meter.collect(deltas, "events", {}, true);
    expect(points).toEqual([{ metric: "events", tags: {}, value: 3, delta: { kind: "meter" } }]);
  });

  it("reports a failing gauge callback to the sink's onError and leaves its point out", () => {
    const errors: unknown[] = [];
    const gauge = new Gauge(undefined, () => {
      throw new Error("boom");
    });
    const { sink, points } = deltaSink((e) => errors.push(e));
    gauge.collect(sink, "queue", {});
    expect(points).toEqual([]);
    expect(errors).toHaveLength(1);
    const set = new Gauge();
    set.set(4);
    const pointSink = new PointSink(false, 0);
    set.collect(pointSink, "queue", {});
    expect(fields(pointSink)).toEqual({ "queue.value": 4 });
  });

  it("gives a histogram and a timer their own kind and fields, and closes the interval", () => {
    const histogram = new Histogram();
    const timer = new Timer(() => 0);
    for (const m of [histogram, timer]) m.update(8);
    expect([histogram.count, timer.count]).toEqual([1, 1]);
    const { sink, points } = deltaSink();
    histogram.collect(sink, "size", {}, true);
    timer.collect(sink, "latency", {}, true);
    expect(points.map((p) => [p.metric, p.value, p.delta.kind])).toEqual([
      ["size", 1, "histogram"],
      ["latency", 1, "timer"],
    ]);
    const after = new PointSink(false, 0);
    histogram.collect(after, "size", {}, true); // the interval was closed: nothing new
    timer.collect(after, "latency", {}, false); // cumulative: the closed interval counts
    const f = fields(after);
    expect(f["size.count"]).toBe(0);
    expect(f["latency.count"]).toBe(1);
    expect(f["latency.sum"]).toBe(8);
    expect(f["latency.mean_rate"]).toBe(0);
    expect("size.sum" in f).toBe(false);
  });
});

describe("rate readings", () => {
  it("are one definition shared by meters and timers, not enumerable, reading each one's count", () => {
    for (const name of ["meanRate", "oneMinuteRate", "fiveMinuteRate", "fifteenMinuteRate", "tick"] as const) {
      expect(Meter.prototype[name]).toBe(Timer.prototype[name]);
      expect(Object.keys(Meter.prototype)).not.toContain(name);
    }
    let t = 0;
    const meter = new Meter(() => t);
    const timer = new Timer(() => t);
    meter.mark(4);
    for (let i = 0; i < 6; i++) timer.update(1);
    t = 2_000;
    expect(meter.meanRate()).toBe(2);
    expect(timer.meanRate()).toBe(3);
    t = 6_000;
    expect(meter.oneMinuteRate()).toBeCloseTo(4 / 5, 12);
    expect(timer.fifteenMinuteRate()).toBeCloseTo(6 / 5, 12);
  });
});

describe("Family", () => {
  it("finds what it added, in the schema trie or among other tag sets, and lists each series once", () => {
    const family = new Family<string>("f", "counter");
    family.add({}, [], "untagged");
    family.add({ a: "1", b: "x" }, ["a", "b"], "schema");
    family.add({ c: "2" }, ["c"], "other");
    expect(family.find({}, [])).toBe("untagged");
    expect(family.find({ a: "1", b: "x" }, ["a", "b"])).toBe("schema");
    expect(family.lookup({ b: "x", a: "1" })).toBe("schema");
    expect(family.find({ c: "2" }, ["c"])).toBe("other");
    expect(family.find({ a: "1", b: "y" }, ["a", "b"])).toBeUndefined();
    const seen: [string, Tags][] = [];
    family.forEach((m, tags) => {
      seen.push([m, tags]);
    });
    expect(seen).toEqual([
      ["untagged", {}],
      ["schema", { a: "1", b: "x" }],
      ["other", { c: "2" }],
    ]);
  });
});
