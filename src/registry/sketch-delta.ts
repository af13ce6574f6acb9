import type { DistributionDelta } from "../core/series-delta";
import { Sketch } from "./sketch";
import { MAX_BUCKETS, Store } from "./store";

/**
 * A sketch ↔ the mergeable delta a writer sends to an aggregator (docs/compact-format.md):
 * exact count, sum, sum of squares, min and max, and the log-bucket counts. Sketches of one
 * accuracy merge by adding bucket counts, so the aggregator's sketch answers quantiles over
 * every writer's values as if one writer had recorded them all.
 */
export function distributionDelta<K extends "histogram" | "timer">(kind: K, sketch: Sketch): { kind: K } & DistributionDelta {
  const n = sketch.count;
  // Σv² from the shifted sums the sketch keeps: Σ(d + shift)² = dev2 + 2·shift·dev + n·shift².
  const sumsq = sketch.dev2 + 2 * sketch.shift * sketch.dev + n * sketch.shift * sketch.shift;
  return {
    kind,
    sum: sketch.sum,
    sumsq: Math.max(0, sumsq),
    // An empty interval: 0, as the registry reports an empty histogram (±Infinity is no JSON).
    min: n === 0 ? 0 : sketch.min,
    max: n === 0 ? 0 : sketch.max,
    zero: sketch.zero,
    pos: bucketsOf(sketch.pos),
    neg: sketch.neg === undefined ? [] : bucketsOf(sketch.neg),
  };
}

/** `[firstIndex, counts…]` without the empty buckets at either end. */
function bucketsOf(store: Store): number[] {
  const c = store.counts;
  let lo = 0;
  let hi = c.length - 1;
  while (lo <= hi && c[lo] === 0) lo++;
  while (hi >= lo && c[hi] === 0) hi--;
  if (lo > hi) return [];
  const out = [store.offset + lo];
  for (let j = lo; j <= hi; j++) out.push(c[j]!);
  return out;
}

/** Most counts one side of a delta may carry: a sketch never keeps more. */
export const MAX_DELTA_BUCKETS = MAX_BUCKETS;

/**
 * Adds a writer's delta (count `count`) to `into`. The caller has checked the delta's shape
 * (finite numbers, integer counts, at most `MAX_DELTA_BUCKETS` buckets a side).
 */
export function mergeDelta(into: Sketch, count: number, d: DistributionDelta): void {
  if (count <= 0) return;
  // Shift 0: dev and dev2 are then the plain sum and sum of squares, which merge by adding.
  const part = new Sketch();
  part.count = count;
  part.sum = part.dev = d.sum;
  part.dev2 = d.sumsq;
  part.min = d.min;
  part.max = d.max;
  part.zero = d.zero;
  addBuckets(part.pos, d.pos);
  if (d.neg.length > 1) addBuckets((part.neg = new Store()), d.neg);
  into.merge(part);
}

function addBuckets(store: Store, buckets: readonly number[]): void {
  const first = buckets[0]!;
  for (let j = 1; j < buckets.length; j++) {
    const c = buckets[j]!;
    if (c !== 0) store.addCount(first + j - 1, c);
  }
}
