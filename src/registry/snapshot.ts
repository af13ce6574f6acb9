import { quantileOf } from "./percentile";
import type { Sketch } from "./sketch";

/** A histogram's statistics at one moment (Dropwizard's `Snapshot`). */
export class HistogramSnapshot {
  readonly count: number;
  readonly sum: number;
  /** 0 when empty, as Dropwizard. */
  readonly min: number;
  readonly max: number;
  readonly mean: number;
  /** Sample standard deviation. */
  readonly stdDev: number;
  readonly p50: number;
  readonly p75: number;
  readonly p95: number;
  readonly p99: number;
  readonly p999: number;
  private readonly sketch: Sketch;

  constructor(sketch: Sketch) {
    const empty = sketch.count === 0;
    this.sketch = sketch;
    this.count = sketch.count;
    this.sum = sketch.sum;
    this.min = empty ? 0 : sketch.min;
    this.max = empty ? 0 : sketch.max;
    this.mean = empty ? 0 : sketch.mean;
    this.stdDev = sketch.stdDev();
    this.p50 = quantileOf(sketch, 0.5);
    this.p75 = quantileOf(sketch, 0.75);
    this.p95 = quantileOf(sketch, 0.95);
    this.p99 = quantileOf(sketch, 0.99);
    this.p999 = quantileOf(sketch, 0.999);
  }

  /** Any quantile, `q` in [0, 1]. */
  quantile(q: number): number {
    return quantileOf(this.sketch, q);
  }
}
