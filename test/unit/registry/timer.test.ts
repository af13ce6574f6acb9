import { describe, expect, it } from "vitest";
import { MetricsRegistry } from "../../../src/registry";

function clock() {
  const c = { t: 0, now: () => c.t };
  return c;
}

describe("Timer", () => {
  it("times a sync function in milliseconds and returns its result", () => {
    const c = clock();
    const timer = new MetricsRegistry({ now: c.now }).timer("work");
    const result = timer.time(() => {
      c.t += 42;
      return "done";
    });
    expect(result).toBe("done");
    expect(timer.snapshot()).toMatchObject({ count: 1, sum: 42, min: 42, max: 42 });
  });

  it("records a sync function that throws, and rethrows", () => {
    const c = clock();
    const timer = new MetricsRegistry({ now: c.now }).timer("work");
    expect(() =>
      timer.time(() => {
        c.t += 5;
        throw new Error("nope");
      }),
    ).toThrow("nope");
    expect(timer.snapshot().sum).toBe(5);
  });

  it("times an async function until its promise settles", async () => {
    const c = clock();
    const timer = new MetricsRegistry({ now: c.now }).timer("work");
    const pending = timer.time(async () => {
      c.t += 10;
      await new Promise((resolve) => setTimeout(resolve, 1));
      c.t += 90;
      return 7;
    });
    expect(timer.count).toBe(0);
    await expect(pending).resolves.toBe(7);
    expect(timer.snapshot()).toMatchObject({ count: 1, sum: 100 });
    const failing = timer.time(async () => {
      c.t += 3;
      throw new Error("late");
    });
    await expect(failing).rejects.toThrow("late");
    expect(timer.snapshot()).toMatchObject({ count: 2, sum: 103, min: 3, max: 100 });
  });

  it("start() returns a stop function that records and returns elapsed ms", () => {
    const c = clock();
    const timer = new MetricsRegistry({ now: c.now }).timer("work");
    const stop = timer.start();
    c.t += 12.5;
    expect(stop()).toBe(12.5);
    expect(timer.snapshot()).toMatchObject({ count: 1, sum: 12.5 });
  });

  it("uses a real monotonic clock by default", async () => {
    const timer = new MetricsRegistry().timer("real");
    const stop = timer.start();
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(stop()).toBeGreaterThanOrEqual(4);
  });

  it("reports meter rates from its count and durations as histogram fields plus sum", () => {
    const c = clock();
    const r = new MetricsRegistry({ now: c.now });
    const timer = r.timer("t");
    for (let i = 1; i <= 100; i++) timer.update(i);
    c.t = 5001;
    const points = Object.fromEntries(r.collect().map((p) => [p.metric, p.value]));
    expect(points["t.count"]).toBe(100);
    expect(points["t.sum"]).toBe(5050);
    expect(points["t.avg"]).toBe(50.5);
    expect(points["t.1m_rate"]).toBeCloseTo(100 / 5, 12);
    expect(points["t.mean_rate"]).toBeCloseTo(100 / 5.001, 12);
    // pyformance's position 0.99 · 101 = 99.99: between the 99th and 100th value.
    expect(Math.abs(points["t.99_percentile"]! - 99.99) / 99.99).toBeLessThanOrEqual(0.01);
  });
});
