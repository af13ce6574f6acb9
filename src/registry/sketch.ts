import { Store } from "./store";

/**
 * Relative accuracy of the quantiles: a reported quantile is within 0.8 % of the exact
 * one (DDSketch's guarantee for log buckets of ratio gamma = (1 + a) / (1 - a)). Below 1 %
 * so that float rounding at bucket edges never pushes the error past the 1 % promise.
 */
export const RELATIVE_ACCURACY = 0.008;
const GAMMA = (1 + RELATIVE_ACCURACY) / (1 - RELATIVE_ACCURACY);
const LN_GAMMA = Math.log(GAMMA);
const INV_LN_GAMMA = 1 / LN_GAMMA;
/** Bucket i holds (gamma^(i-1), gamma^i]; this factor times gamma^i is its representative. */
const REPRESENTATIVE = 2 / (1 + GAMMA);

/** Bucket index of a positive value. */
const indexOf = (v: number): number => Math.ceil(Math.log(v) * INV_LN_GAMMA);
const valueOf = (i: number): number => Math.exp(i * LN_GAMMA) * REPRESENTATIVE;

/**
 * A mergeable quantile sketch in the DDSketch family: log-scale buckets for positive and
 * negative values plus a zero count, with count, sum, min, max, mean and variance kept
 * exactly (Welford's update, Chan's merge) beside them.
 */
export class Sketch {
  count = 0;
  sum = 0;
  min = Number.POSITIVE_INFINITY;
  max = Number.NEGATIVE_INFINITY;
  mean = 0;
  /** Sum of squared deviations from the mean (Welford). */
  m2 = 0;
  zero = 0;
  readonly pos = new Store();
  neg: Store | undefined = undefined;

  /** Records one value; NaN and ±Infinity are ignored (they cannot be reported). */
  add(v: number): void {
    if (v - v !== 0) return;
    const n = ++this.count;
    this.sum += v;
    if (v < this.min) this.min = v;
    if (v > this.max) this.max = v;
    const d = v - this.mean;
    this.mean += d / n;
    this.m2 += d * (v - this.mean);
    if (v > 0) this.pos.add(indexOf(v));
    else if (v < 0) (this.neg ??= new Store()).add(indexOf(-v));
    else this.zero++;
  }

  merge(o: Sketch): void {
    if (o.count === 0) return;
    const n = this.count + o.count;
    const d = o.mean - this.mean;
    this.m2 += o.m2 + (d * d * this.count * o.count) / n;
    this.mean += (d * o.count) / n;
    this.count = n;
    this.sum += o.sum;
    if (o.min < this.min) this.min = o.min;
    if (o.max > this.max) this.max = o.max;
    this.zero += o.zero;
    this.pos.merge(o.pos);
    if (o.neg !== undefined) (this.neg ??= new Store()).merge(o.neg);
  }

  reset(): void {
    this.count = this.sum = this.mean = this.m2 = this.zero = 0;
    this.min = Number.POSITIVE_INFINITY;
    this.max = Number.NEGATIVE_INFINITY;
    this.pos.reset();
    this.neg?.reset();
  }

  /** Sample standard deviation (n - 1), as Dropwizard and pyformance; 0 below 2 values. */
  stdDev(): number {
    return this.count > 1 ? Math.sqrt(Math.max(0, this.m2 / (this.count - 1))) : 0;
  }

  /** The value at quantile `q` (0..1), within the relative accuracy; 0 when empty. */
  quantile(q: number): number {
    if (this.count === 0) return 0;
    const rank = q * (this.count - 1);
    let seen = 0;
    const neg = this.neg;
    if (neg !== undefined) {
      // Larger index = more negative: walk downwards for ascending values.
      const c = neg.counts;
      for (let j = c.length - 1; j >= 0; j--) {
        seen += c[j]!;
        if (seen > rank) return this.clamp(-valueOf(neg.offset + j));
      }
    }
    seen += this.zero;
    if (seen > rank) return this.clamp(0);
    const c = this.pos.counts;
    for (let j = 0; j < c.length; j++) {
      seen += c[j]!;
      if (seen > rank) return this.clamp(valueOf(this.pos.offset + j));
    }
    return this.max;
  }

  private clamp(v: number): number {
    return v < this.min ? this.min : v > this.max ? this.max : v;
  }
}
