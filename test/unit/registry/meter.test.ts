import { describe, expect, it } from "vitest";
import { MetricsRegistry } from "../../../src/registry";

/**
 * Dropwizard's Meter, written from its formulas independently of the implementation:
 * ticks every 5 s on mark and on read, alpha = 1 - exp(-5 / 60 / minutes), the first
 * tick sets the rate, each later one does rate += alpha * (count / 5 s - rate).
 */
class DropwizardMeter {
  private uncounted = 0;
  private lastTick: number;
  private initialized = false;
  readonly rates = [0, 0, 0];
  private readonly alphas = [1, 5, 15].map((m) => 1 - Math.exp(-5 / 60 / m));

  constructor(start: number) {
    this.lastTick = start;
  }

  mark(now: number, n = 1): void {
    this.tickIfNecessary(now);
    this.uncounted += n;
  }

  read(now: number): number[] {
    this.tickIfNecessary(now);
    return [...this.rates];
  }

  private tickIfNecessary(now: number): void {
    const age = now - this.lastTick;
    if (age <= 5000) return;
    this.lastTick = now - (age % 5000);
    for (let k = 0; k < Math.floor(age / 5000); k++) {
      const instant = this.uncounted / 5;
      this.uncounted = 0;
      for (let i = 0; i < 3; i++) {
        this.rates[i] = this.initialized ? this.rates[i]! + this.alphas[i]! * (instant - this.rates[i]!) : instant;
      }
      this.initialized = true;
    }
  }
}

function lcg(seed: number): () => number {
  let s = seed;
  return () => (s = (s * 1103515245 + 12345) % 2147483648) / 2147483648;
}

const rates = (m: { oneMinuteRate(): number; fiveMinuteRate(): number; fifteenMinuteRate(): number }) => [
  m.oneMinuteRate(),
  m.fiveMinuteRate(),
  m.fifteenMinuteRate(),
];

describe("meter rates", () => {
  it("match Dropwizard's EWMA for a random event stream read at every step", () => {
    let t = 1_000_000;
    const r = new MetricsRegistry({ now: () => t });
    const meter = r.meter("events");
    const dw = new DropwizardMeter(t);
    const rand = lcg(7);
    let count = 0;
    for (let step = 0; step < 2000; step++) {
      t += Math.floor(rand() * 3000); // irregular gaps, often several ticks apart
      const expected = dw.read(t);
      const actual = rates(meter);
      for (let i = 0; i < 3; i++) expect(actual[i]).toBeCloseTo(expected[i]!, 12);
      const n = 1 + Math.floor(rand() * 20);
      meter.mark(n);
      dw.mark(t, n);
      count += n;
    }
    expect(meter.count).toBe(count);
    expect(meter.meanRate()).toBeCloseTo(count / ((t - 1_000_000) / 1000), 12);
  });

  it("match Dropwizard for a steady stream read once a minute (catch-up without a timer)", () => {
    let t = 0;
    const r = new MetricsRegistry({ now: () => t });
    const meter = r.meter("steady");
    const dw = new DropwizardMeter(0);
    // 7 events every 5 s, just after each tick; collected every 60 s (12 ticks caught up).
    for (let tick = 0; tick < 12 * 30; tick++) {
      t = tick * 5000 + 1;
      meter.mark(7);
      dw.mark(t, 7);
      if (tick % 12 === 11) {
        t = (tick + 1) * 5000 + 0.5; // just past a tick boundary, before the next marks
        const expected = dw.read(t);
        const points = r.collect({ now: t });
        const got = ["1m_rate", "5m_rate", "15m_rate"].map((f) => points.find((p) => p.metric === `steady.${f}`)!.value);
        for (let i = 0; i < 3; i++) expect(got[i]).toBeCloseTo(expected[i]!, 10);
      }
    }
    expect(meter.oneMinuteRate()).toBeCloseTo(7 / 5, 6);
  });

  it("decay over a long idle gap as repeated Dropwizard ticks would", () => {
    let t = 0;
    const r = new MetricsRegistry({ now: () => t });
    const meter = r.meter("bursty");
    const dw = new DropwizardMeter(0);
    t = 1000;
    meter.mark(600);
    dw.mark(t, 600);
    t = 5001 + 1000;
    expect(rates(meter)[0]).toBeCloseTo(dw.read(t)[0]!, 12);
    t += 3 * 3600_000; // three hours idle: 2160 ticks caught up at once
    const expected = dw.read(t);
    const actual = rates(meter);
    for (let i = 0; i < 3; i++) expect(actual[i]).toBeCloseTo(expected[i]!, 12);
    expect(actual[2]).toBeGreaterThan(0);
  });

  it("are 0 before the first tick and mean rate is 0 without events", () => {
    let t = 0;
    const meter = new MetricsRegistry({ now: () => t }).meter("m");
    t = 4000;
    expect(meter.meanRate()).toBe(0);
    meter.mark(8);
    expect(rates(meter)).toEqual([0, 0, 0]);
    expect(meter.meanRate()).toBe(2);
  });
});
