import { indexOf } from "./mapping";
import { Store } from "./store";

/**
 * A mergeable quantile sketch in the DDSketch family: log-scale buckets for positive and
 * negative values plus a zero count, with count, sum, min and max kept exactly beside
 * them, and the variance from sums of deviations from the first value ("shifted data":
 * no division on the hot path, and no cancellation as long as values stay near it).
 */
export class Sketch {
  count = 0;
  sum = 0;
  min = Number.POSITIVE_INFINITY;
  max = Number.NEGATIVE_INFINITY;
  /** The first value; `dev` and `dev2` are the sums of `v - shift` and its square. */
  shift = 0;
  dev = 0;
  dev2 = 0;
  zero = 0;
  readonly pos = new Store();
  neg: Store | undefined = undefined;

  /**
   * Records one value; NaN and ±Infinity are ignored (they cannot be reported), and so
   * are non-numbers: a numeric string from untyped code would turn `sum` into a string.
   * Returns whether the value was recorded.
   */
  add(v: number): boolean {
    if (typeof v !== "number" || v - v !== 0) return false;
    if (this.count++ === 0) this.shift = v;
    this.sum += v;
    if (v < this.min) this.min = v;
    if (v > this.max) this.max = v;
    const d = v - this.shift;
    this.dev += d;
    this.dev2 += d * d;
    if (v > 0) this.pos.add(indexOf(v));
    else if (v < 0) (this.neg ??= new Store()).add(indexOf(-v));
    else this.zero++;
    return true;
  }

  get mean(): number {
    return this.count === 0 ? 0 : this.sum / this.count;
  }

  merge(o: Sketch): void {
    if (o.count === 0) return;
    if (this.count === 0) {
      this.shift = o.shift;
      this.dev = o.dev;
      this.dev2 = o.dev2;
    } else {
      // Re-express o's deviations relative to this shift.
      const k = o.shift - this.shift;
      this.dev2 += o.dev2 + 2 * k * o.dev + o.count * k * k;
      this.dev += o.dev + o.count * k;
    }
    this.count += o.count;
    this.sum += o.sum;
    if (o.min < this.min) this.min = o.min;
    if (o.max > this.max) this.max = o.max;
    this.zero += o.zero;
    this.pos.merge(o.pos);
    if (o.neg !== undefined) (this.neg ??= new Store()).merge(o.neg);
  }

  reset(): void {
    this.count = this.sum = this.shift = this.dev = this.dev2 = this.zero = 0;
    this.min = Number.POSITIVE_INFINITY;
    this.max = Number.NEGATIVE_INFINITY;
    this.pos.reset();
    this.neg?.reset();
  }

  /** Sample standard deviation (n - 1), as Dropwizard and pyformance; 0 below 2 values. */
  stdDev(): number {
    const n = this.count;
    return n > 1 ? Math.sqrt(Math.max(0, (this.dev2 - (this.dev * this.dev) / n) / (n - 1))) : 0;
  }
}
