import { describe, expect, it } from "vitest";
import { MetricsRegistry } from "../../../src/registry";
import type { CollectedPoint } from "../../../src/core/types";

const byKey = (points: CollectedPoint[]) => new Map(points.map((p) => [`${p.metric}${JSON.stringify(p.tags)}`, p.value]));

describe("delta collections", () => {
  it("sum to the cumulative ones, and cumulative collections do not disturb them", () => {
    let t = 0;
    const r = new MetricsRegistry({ now: () => t });
    let seed = 11;
    const rand = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
    const sums = new Map<string, number>();
    const mins = new Map<string, number>();
    const maxes = new Map<string, number>();
    for (let round = 0; round < 20; round++) {
      for (let i = 0; i < 500; i++) {
        const route = `r${Math.floor(rand() * 3)}`;
        r.counter("hits", { route }).inc(1 + Math.floor(rand() * 3));
        if (rand() < 0.2) r.counter("hits", { route }).dec();
        r.meter("events").mark();
        r.histogram("size", { route }).update(rand() * 1000 - 100);
        r.timer("latency").update(rand() * 50);
      }
      r.gauge("temp").set(round);
      t += 7_000;
      if (round % 3 === 0) r.collect(); // interleaved cumulative collections must not reset anything
      for (const [key, v] of byKey(r.collect({ temporality: "delta" }))) {
        if (key.includes(".count") || key.includes(".sum")) sums.set(key, (sums.get(key) ?? 0) + v);
        if (key.includes(".min")) mins.set(key, Math.min(mins.get(key) ?? Infinity, v));
        if (key.includes(".max")) maxes.set(key, Math.max(maxes.get(key) ?? -Infinity, v));
      }
    }
    const cumulative = byKey(r.collect());
    expect(sums.size).toBeGreaterThan(8);
    for (const [key, total] of sums) expect(total, key).toBeCloseTo(cumulative.get(key)!, 6);
    for (const [key, min] of mins) expect(min, key).toBe(cumulative.get(key));
    for (const [key, max] of maxes) expect(max, key).toBe(cumulative.get(key));
    expect(cumulative.get("events.count{}")).toBe(20 * 500);
    // Nothing new since the last delta collection: zero counts, gauge still its value.
    const empty = byKey(r.collect({ temporality: "delta" }));
    expect(empty.get('hits.count{"route":"r0"}')).toBe(0);
    expect(empty.get("latency.count{}")).toBe(0);
    expect(empty.get('size.max{"route":"r1"}')).toBe(0);
    expect(empty.get("temp.value{}")).toBe(19);
  });

  it("report the interval's histogram, while the cumulative one keeps everything", () => {
    const r = new MetricsRegistry();
    const h = r.histogram("h");
    for (let i = 1; i <= 100; i++) h.update(i);
    const first = byKey(r.collect({ temporality: "delta" }));
    expect(first.get("h.max{}")).toBe(100);
    for (let i = 1; i <= 10; i++) h.update(1000 + i);
    const second = byKey(r.collect({ temporality: "delta" }));
    expect(second.get("h.count{}")).toBe(10);
    expect(second.get("h.min{}")).toBe(1001);
    expect(Math.abs(second.get("h.50_percentile{}")! - 1005) / 1005).toBeLessThanOrEqual(0.01);
    const all = byKey(r.collect());
    expect(all.get("h.count{}")).toBe(110);
    expect(all.get("h.min{}")).toBe(1);
    expect(Math.abs(all.get("h.50_percentile{}")! - 55) / 55).toBeLessThanOrEqual(0.01);
    expect(h.snapshot().count).toBe(110);
  });
});
