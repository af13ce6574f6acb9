// The relay page's registry: the full registry's recording side, collected in the deltas form only.
import { describe, expect, it } from "vitest";
import { PageRegistry } from "../../../src/platforms/browser/page-registry";
import { MetricsRegistry } from "../../../src/registry";

describe("PageRegistry", () => {
  it("gives one handle per name and tag set, in any key order, values as strings, null values dropped", () => {
    const r = new PageRegistry();
    const a = r.counter("clicks", { b: "2", a: "1" });
    expect(r.counter("clicks", { a: "1", b: "2" })).toBe(a);
    expect(r.counter("clicks", { a: 1 as unknown as string, b: "2", c: undefined as unknown as string })).toBe(a);
    expect(r.counter("clicks", { a: "1" })).not.toBe(a);
    expect(r.size).toBe(2);
  });

  it("keeps a `__proto__` key of the caller's tags as a tag, never as the tags' prototype (the relay's check then refuses it)", () => {
    const r = new PageRegistry();
    r.counter("clicks", JSON.parse('{"__proto__": "x", "a": "1"}') as Record<string, string>).inc();
    const [point] = r.collect();
    expect(Object.getPrototypeOf(point!.tags)).toBe(Object.prototype);
    expect(Object.entries(point!.tags)).toEqual([
      ["__proto__", "x"],
      ["a", "1"],
    ]);
  });

  it("collects a series with the same tags every time, which a caller cannot change through a point", () => {
    const r = new PageRegistry();
    r.counter("clicks", { button: "buy" }).inc();
    const [first] = r.collect();
    expect(() => {
      (first!.tags as Record<string, string>).button = "sell";
    }).toThrow(TypeError);
    r.counter("clicks", { button: "buy" }).inc();
    const [second] = r.collect();
    expect(second!.tags).toBe(first!.tags);
    expect(second!.tags).toEqual({ button: "buy" });
  });

  it("collects what happened since the previous collection, one point per series with its kind, as the full registry's deltas form", () => {
    const page = new PageRegistry({ now: () => 1_000 });
    const full = new MetricsRegistry({ now: () => 1_000 });
    for (const r of [page, full]) {
      r.counter("hits", { p: "a" }).inc(3);
      r.gauge("queue", () => 7);
      r.meter("events").mark(2);
      r.timer("render").update(12);
      r.histogram("size").update(100);
      r.gauge("never.set");
    }
    const first = page.collect();
    expect(first).toEqual(full.collect({ form: "deltas" }));
    expect(first.map((p) => [p.metric, p.value, p.delta?.kind])).toEqual([
      ["hits.count", 3, "sum"],
      ["queue.value", 7, "mean"],
      ["events", 2, "meter"],
      ["render", 1, "timer"],
      ["size", 1, "histogram"],
    ]);
    page.counter("hits", { p: "a" }).inc(1);
    expect(page.collect().map((p) => p.value)).toEqual([1, 7, 0, 0, 0]);
  });

  it("hands a detached handle to what it cannot hold, counts it, and counts ignored updates", () => {
    const r = new PageRegistry({ maxSeries: 2 });
    r.counter("a").inc();
    const kept = r.timer("a"); // a name of another kind
    kept.update(5);
    r.counter(undefined as unknown as string).inc();
    r.counter("b", "x" as unknown as Record<string, string>).inc();
    r.counter("c").inc();
    r.counter("d").inc(); // past maxSeries
    r.counter("a").inc(Number.NaN);
    const points = r.collect();
    expect(points.map((p) => p.metric)).toEqual([
      "a.count",
      "c.count",
      "apptuit.registry.series_refused.count",
      "apptuit.registry.invalid_updates.count",
    ]);
    expect(points.find((p) => p.metric === "apptuit.registry.series_refused.count")).toMatchObject({
      value: 4,
      tags: { sdk: "apptuit-js" },
    });
    expect(points.find((p) => p.metric === "apptuit.registry.invalid_updates.count")?.value).toBe(1);
    expect(
      r
        .collect()
        .filter((p) => p.metric.startsWith("apptuit."))
        .map((p) => p.value),
    ).toEqual([0, 0]);
  });
});
