// A relay page's histograms and timers: the interval's mergeable delta, bucket for bucket the full registry's.
import { describe, expect, it } from "vitest";
import type { DistributionDelta } from "../../../src/core/series-delta";
import type { CollectedPoint } from "../../../src/core/types";
import { PageRegistry } from "../../../src/platforms/browser/page-registry";
import { MetricsRegistry } from "../../../src/registry";

const VALUES = [0, 1, 1, 2.5, -3, -0.001, 120, 9_999, 0.0004, 42, -42, 7, 7, 7, 1e6];

function deltaOf(points: CollectedPoint[], metric: string): { value: number; kind?: string } & Partial<DistributionDelta> {
  const p = points.find((x) => x.metric === metric)!;
  return { value: p.value, ...p.delta };
}

describe("PageHistogram and PageTimer", () => {
  it("give the full registry's delta: count, sum, min, max, zero and the same log buckets on both sides", () => {
    const page = new PageRegistry({ now: () => 0 });
    const full = new MetricsRegistry({ now: () => 0 });
    for (const r of [page, full]) for (const v of VALUES) r.histogram("h").update(v);
    const got = deltaOf(page.collect(), "h");
    const want = deltaOf(full.collect({ form: "deltas" }), "h");
    expect({ ...got, sumsq: undefined }).toEqual({ ...want, sumsq: undefined });
    expect(got.sumsq).toBeCloseTo(want.sumsq!, 3);
    expect(got).toMatchObject({ value: VALUES.length, kind: "histogram", zero: 1, min: -42, max: 1e6 });
  });

  it("start a new interval at each collection, counting every value since creation", () => {
    const page = new PageRegistry({ now: () => 0 });
    const h = page.histogram("h");
    h.update(5);
    h.update(Number.NaN);
    page.collect();
    h.update(10);
    const second = deltaOf(page.collect(), "h");
    expect(second).toMatchObject({ value: 1, sum: 10, sumsq: 100, min: 10, max: 10, zero: 0, neg: [] });
    expect(h.count).toBe(2);
    expect(deltaOf(page.collect(), "h")).toMatchObject({ value: 0, sum: 0, min: 0, max: 0, pos: [], neg: [] });
  });

  it("keep at most MAX_BUCKETS buckets a side, the lowest folded into the lowest kept, as the full registry's sketch", () => {
    const page = new PageRegistry({ now: () => 0 });
    const full = new MetricsRegistry({ now: () => 0 });
    const wide = [1e-30, 1e-20, 1e-10, 1, 1e10, 1e30, 5e29];
    for (const r of [page, full]) for (const v of wide) r.histogram("wide").update(v);
    const got = deltaOf(page.collect(), "wide");
    expect(got.pos).toEqual(deltaOf(full.collect({ form: "deltas" }), "wide").pos);
    expect(got.pos!.length).toBeLessThanOrEqual(2049);
    expect(got.pos!.slice(1).reduce((a, b) => a + b, 0)).toBe(wide.length);
  });

  it("a timer times calls, promises and stopwatches on the registry's clock, as a timer delta", async () => {
    let t = 0;
    const page = new PageRegistry({ now: () => t });
    const timer = page.timer("render");
    timer.time(() => {
      t += 5;
    });
    await timer.time(async () => {
      t += 7;
    });
    const stop = timer.start();
    t += 11;
    expect(stop()).toBe(11);
    expect(() =>
      timer.time(() => {
        t += 2;
        throw new Error("boom");
      }),
    ).toThrow("boom");
    timer.time(undefined as unknown as () => void);
    const points = page.collect();
    expect(deltaOf(points, "render")).toMatchObject({ value: 4, kind: "timer", sum: 25, min: 2, max: 11 });
    expect(deltaOf(points, "apptuit.registry.invalid_updates.count").value).toBe(1);
  });
});
