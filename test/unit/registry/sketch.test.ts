import { describe, expect, it } from "vitest";
import { MetricsRegistry } from "../../../src/registry";
import { quantileOf } from "../../../src/registry/percentile";
import { Sketch } from "../../../src/registry/sketch";
import { MAX_BUCKETS } from "../../../src/registry/store";
import { pyformancePercentile } from "../../support/percentile";
import { mulberry32 } from "../../support/random";

function normal(rand: () => number): () => number {
  return () => Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
}

const N = 1_000_000;
const QUANTILES = [0.5, 0.75, 0.95, 0.99, 0.999, 0.01, 0.25, 0.9];

function check(name: string, draw: () => number): void {
  it(`quantiles of ${name} data (10^6 values) are within 1% of the exact ones`, () => {
    const values = new Float64Array(N);
    const h = new MetricsRegistry().histogram(name);
    let sum = 0;
    for (let i = 0; i < N; i++) {
      const v = draw();
      values[i] = v;
      sum += v;
      h.update(v);
    }
    const snap = h.snapshot();
    values.sort();
    for (const q of QUANTILES) {
      const exact = pyformancePercentile(values, q);
      const error = Math.abs(snap.quantile(q) - exact) / Math.abs(exact);
      expect(error, `q=${q} exact=${exact} got=${snap.quantile(q)}`).toBeLessThanOrEqual(0.01);
    }
    expect([snap.p50, snap.p75, snap.p95, snap.p99, snap.p999]).toEqual([0.5, 0.75, 0.95, 0.99, 0.999].map((q) => snap.quantile(q)));
    // count, sum, min, max, mean and std_dev are exact (up to float rounding).
    const mean = sum / N;
    let m2 = 0;
    for (let i = 0; i < N; i++) m2 += (values[i]! - mean) ** 2;
    expect(snap.count).toBe(N);
    expect(snap.sum).toBeCloseTo(sum, 3);
    expect(snap.min).toBe(values[0]);
    expect(snap.max).toBe(values[N - 1]);
    expect(snap.mean / mean).toBeCloseTo(1, 12);
    expect(snap.stdDev / Math.sqrt(m2 / (N - 1))).toBeCloseTo(1, 9);
  });
}

describe("quantile sketch accuracy", () => {
  const rand = mulberry32(20240601);
  const gauss = normal(rand);
  check("uniform", () => 1 + rand() * 999);
  check("log-normal", () => Math.exp(3 + 1.5 * gauss()));
  check("bimodal", () => (rand() < 0.7 ? 20 + 3 * gauss() : 800 + 60 * gauss()));
});

describe("Sketch", () => {
  it("handles zeros, negatives and NaN/Infinity", () => {
    const s = new Sketch();
    for (const v of [-100, -10, -1, 0, 0, 1, 10, 100, Number.NaN, Number.POSITIVE_INFINITY]) s.add(v);
    expect(s.count).toBe(8);
    expect(s.sum).toBe(0);
    expect([s.min, s.max]).toEqual([-100, 100]);
    const q = (x: number) => quantileOf(s, x);
    expect(q(0)).toBe(-100);
    // Position q·(n + 1) = q·9: whole positions are order statistics, others interpolate.
    expect(Math.abs(q(2 / 9) + 10) / 10).toBeLessThanOrEqual(0.01);
    expect(q(4 / 9)).toBe(0);
    expect(q(0.5)).toBe(0);
    expect(Math.abs(q(6 / 9) - 1)).toBeLessThanOrEqual(0.01);
    expect(q(1)).toBe(100);
  });

  it("merges to the same answers as one sketch of everything", () => {
    const rand = mulberry32(3);
    const a = new Sketch();
    const b = new Sketch();
    const all = new Sketch();
    for (let i = 0; i < 10_000; i++) {
      const v = 1000 + rand() * 10;
      (i % 3 ? a : b).add(v);
      all.add(v);
    }
    a.merge(b);
    expect(a.count).toBe(all.count);
    expect(a.sum).toBeCloseTo(all.sum, 6);
    expect(a.stdDev()).toBeCloseTo(all.stdDev(), 9);
    for (const q of QUANTILES) expect(quantileOf(a, q)).toBe(quantileOf(all, q));
  });

  it("keeps memory bounded over any range, collapsing the lowest buckets", () => {
    const s = new Sketch();
    for (let e = -300; e <= 300; e += 0.01) s.add(10 ** e);
    expect(s.pos.counts.length).toBeLessThanOrEqual(MAX_BUCKETS);
    expect(s.count).toBe(60_001);
    // High quantiles stay accurate; only the collapsed low end loses resolution.
    const values = Array.from({ length: 60_001 }, (_, i) => 10 ** (-300 + i * 0.01));
    const exact = pyformancePercentile(values, 0.99);
    expect(Math.abs(quantileOf(s, 0.99) - exact) / exact).toBeLessThanOrEqual(0.01);
  });

  it("stays small for a typical latency distribution", () => {
    const rand = mulberry32(9);
    const gauss = normal(rand);
    const s = new Sketch();
    for (let i = 0; i < 100_000; i++) s.add(Math.exp(Math.log(50) + 0.75 * gauss()));
    expect(s.pos.counts.byteLength).toBeLessThanOrEqual(2048);
  });

  it("widens bucket counts instead of wrapping", () => {
    const s = new Sketch();
    for (let i = 0; i < 70_000; i++) s.add(5);
    s.add(500);
    expect(quantileOf(s, 0.5)).toBeCloseTo(5, 1);
    expect(quantileOf(s, 1)).toBe(500);
    const other = new Sketch();
    other.merge(s);
    other.merge(s);
    expect(other.count).toBe(140_002);
    expect(quantileOf(other, 0.99)).toBeCloseTo(5, 1);
  });

  it("keeps std_dev precise for large values with a small spread", () => {
    const s = new Sketch();
    for (let i = 0; i < 100_000; i++) s.add(1e9 + (i % 2));
    expect(s.stdDev()).toBeCloseTo(0.5, 4);
  });
});
