import type { Tags } from "../../core/types";
import { type InvalidUpdates, rejectUpdate } from "../../registry/invalid-updates";
import { indexOf } from "../../registry/mapping";
import type { DeltaSink } from "../../registry/sink";
import { MAX_BUCKETS } from "../../registry/store";
import { stopwatch, timeCall } from "../../registry/timing";

/**
 * A relay-mode page's histogram (`Histogram` of `dist/apptuit.iife.js` and
 * `apptuit/browser/relay`): `update(value)` and `count`, and at each collection the
 * interval's mergeable delta — exact count, sum, sum of squares, min and max, and the
 * counts of the full registry's log buckets (registry/mapping.ts, so a relay merges them
 * with any writer's) — which is all a relay takes (docs/browser-page-size.md). The
 * interval's buckets are held in a map, since the page never reads a quantile; past
 * `MAX_BUCKETS` from the highest, the lowest fold into the lowest kept, as the full
 * registry's sketch does.
 */
export class PageHistogram {
  /** Values recorded before the current interval. */
  private before_ = 0;
  private w = interval();

  constructor(
    /** @internal this registry's tally of ignored updates. */
    readonly invalid_: InvalidUpdates | undefined = undefined,
  ) {}

  /** Records a value; non-numbers, NaN and ±Infinity are ignored and counted in `apptuit.registry.invalid_updates.count`. */
  update(value: number): void {
    if (typeof value !== "number" || value - value !== 0) {
      rejectUpdate(this, value);
      return;
    }
    const w = this.w;
    w.n++;
    w.sum += value;
    w.sumsq += value * value;
    if (value < w.min) w.min = value;
    if (value > w.max) w.max = value;
    if (value === 0) w.zero++;
    else {
      const side = value > 0 ? w.pos : w.neg;
      const i = indexOf(Math.abs(value));
      side.set(i, (side.get(i) ?? 0) + 1);
    }
  }

  /** Values recorded since creation. */
  get count(): number {
    return this.before_ + this.w.n;
  }

  /** @internal the interval's point (`deltas` form), then a new interval. */
  collect(sink: DeltaSink, name: string, tags: Tags): void {
    const { n, sum, sumsq, min, max, zero, pos, neg } = this.w;
    this.w = interval();
    this.before_ += n;
    // An empty interval: 0, as the registry reports an empty histogram (±Infinity is no JSON).
    sink.delta(name, tags, n, { kind: this.kind, sum, sumsq, min: n && min, max: n && max, zero, pos: buckets(pos), neg: buckets(neg) });
  }

  /** @internal */
  protected get kind(): "histogram" | "timer" {
    return "histogram";
  }
}

/** A relay-mode page's timer: durations in milliseconds into a `PageHistogram`, with `time` and `start` on the registry's clock. */
export class PageTimer extends PageHistogram {
  constructor(
    /** @internal the registry's clock. */
    readonly clock: () => number,
    invalid?: InvalidUpdates,
  ) {
    super(invalid);
  }

  /**
   * Runs `fn` and records how long it took, until its promise settles if it returns one
   * (fulfilled or rejected). Returns what `fn` returns; a throw is recorded and rethrown.
   */
  time<T>(fn: () => T): T {
    return timeCall(this, fn);
  }

  /** Starts timing; the returned function records and returns the elapsed milliseconds. */
  start(): () => number {
    return stopwatch(this);
  }

  /** @internal */
  protected override get kind(): "timer" {
    return "timer";
  }
}

/** `[firstIndex, counts…]` from the lowest to the highest bucket used (at most `MAX_BUCKETS`), `[]` when none. */
function buckets(counts: Map<number, number>): number[] {
  if (counts.size === 0) return [];
  let hi = -Infinity;
  let lo = Infinity;
  for (const i of counts.keys()) {
    if (i > hi) hi = i;
    if (i < lo) lo = i;
  }
  lo = Math.max(lo, hi - MAX_BUCKETS + 1);
  const out = [lo, ...Array<number>(hi - lo + 1).fill(0)];
  for (const [i, c] of counts) out[Math.max(i, lo) - lo + 1]! += c;
  return out;
}

/** An interval's moments and bucket counts, empty. */
const interval = () => ({
  n: 0,
  sum: 0,
  sumsq: 0,
  min: Infinity,
  max: -Infinity,
  zero: 0,
  pos: new Map<number, number>(),
  neg: new Map<number, number>(),
});
