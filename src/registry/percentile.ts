import { bucketValue } from "./mapping";

/** One side's log-bucket counts: bucket `offset + j` holds `counts[j]` values. */
export interface BucketCounts {
  readonly offset: number;
  readonly counts: ArrayLike<number>;
}

/**
 * What a quantile is computed from: exactly the state a sketch keeps, and what adding
 * bucket counts of several sketches (with their count, min and max) produces. Negative
 * values are bucketed by their magnitude.
 */
export interface SketchState {
  readonly count: number;
  readonly min: number;
  readonly max: number;
  readonly zero: number;
  readonly pos: BucketCounts;
  readonly neg?: BucketCounts | undefined;
}

/**
 * The `q` quantile (0..1) as pyformance defines it (docs/percentiles.md): with the values
 * sorted as v[1..n], position p = q·(n + 1); below 1 it is v[1], from n on it is v[n],
 * otherwise v[⌊p⌋] plus the fraction of p times the step to the next value. The order
 * statistics come from the buckets, each within the sketch's relative accuracy, and
 * v[1] and v[n] are the exact min and max; 0 when empty.
 */
export function quantileOf(s: SketchState, q: number): number {
  const n = s.count;
  if (n === 0) return 0;
  const p = q * (n + 1);
  if (!(p >= 1)) return s.min; // also NaN q
  if (p >= n) return s.max;
  const k = Math.floor(p);
  const lower = orderStatistic(s, k);
  const fraction = p - k;
  return fraction === 0 ? lower : lower + fraction * (orderStatistic(s, k + 1) - lower);
}

/** v[k], 1 ≤ k ≤ n: exact at the ends, else the value of the bucket holding rank k. */
export function orderStatistic(s: SketchState, k: number): number {
  if (k <= 1) return s.min;
  if (k >= s.count) return s.max;
  let seen = 0;
  const neg = s.neg;
  if (neg !== undefined) {
    // A larger index is a more negative value: walk downwards for ascending values.
    const c = neg.counts;
    for (let j = c.length - 1; j >= 0; j--) {
      seen += c[j]!;
      if (seen >= k) return clamp(s, -bucketValue(neg.offset + j));
    }
  }
  seen += s.zero;
  if (seen >= k) return clamp(s, 0);
  const c = s.pos.counts;
  for (let j = 0; j < c.length; j++) {
    seen += c[j]!;
    if (seen >= k) return clamp(s, bucketValue(s.pos.offset + j));
  }
  return s.max;
}

function clamp(s: SketchState, v: number): number {
  return v < s.min ? s.min : Math.min(v, s.max);
}
