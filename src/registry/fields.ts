import type { SeriesDelta } from "../core/series-delta";
import type { CollectedPoint, Tags } from "../core/types";
import type { GaugeCallbackError } from "./errors/gauge-callback-error";
import { quantileOf } from "./percentile";
import type { Rates } from "./rates";
import type { Sketch } from "./sketch";

/**
 * Turns metric state into points (docs/metrics.md): `name + "." + field`. Points whose value is not
 * a finite number (a gauge never set, a callback returning NaN) are left out: the wire
 * format cannot carry them.
 */
export class PointSink {
  readonly points: CollectedPoint[] = [];

  /**
   * `deltas`: collect one point per series with its kind (see `CollectForm`). `now`: the
   * collection's time on the registry's clock (meters tick to it). `onError`: told of each
   * callback gauge that failed.
   */
  constructor(
    readonly deltas = false,
    readonly now = 0,
    readonly onError?: (error: GaugeCallbackError) => void,
  ) {}

  /**
   * A point of the `deltas` form: `value` is the count (or a gauge's reading). In the
   * `fields` form the same point without its kind: a series whose one field is its value
   * (a counter's `name.count`, a gauge's `name.value`) writes one call for both forms.
   */
  delta(metric: string, tags: Tags, value: number, delta: SeriesDelta): void {
    if (Number.isFinite(value)) this.points.push(this.deltas ? { metric, tags, value, delta } : { metric, tags, value });
  }

  push(name: string, field: string, tags: Tags, value: number): void {
    if (Number.isFinite(value)) this.points.push({ metric: `${name}.${field}`, tags, value });
  }

  /** `count` plus the four rates of a meter (or a timer's meter part). */
  meter(name: string, tags: Tags, count: number, totalCount: number, rates: Rates, now: number): void {
    rates.tick(now, totalCount);
    this.push(name, "count", tags, count);
    this.push(name, "mean_rate", tags, rates.mean(now, totalCount));
    this.push(name, "1m_rate", tags, rates.m1);
    this.push(name, "5m_rate", tags, rates.m5);
    this.push(name, "15m_rate", tags, rates.m15);
  }

  /** Histogram fields; `withCount` false for a timer, whose meter part gave `count`. */
  histogram(name: string, tags: Tags, s: Sketch, withCount: boolean): void {
    const empty = s.count === 0;
    if (withCount) this.push(name, "count", tags, s.count);
    this.push(name, "avg", tags, empty ? 0 : s.mean);
    this.push(name, "min", tags, empty ? 0 : s.min);
    this.push(name, "max", tags, empty ? 0 : s.max);
    this.push(name, "std_dev", tags, s.stdDev());
    this.push(name, "50_percentile", tags, quantileOf(s, 0.5));
    this.push(name, "75_percentile", tags, quantileOf(s, 0.75));
    this.push(name, "95_percentile", tags, quantileOf(s, 0.95));
    this.push(name, "99_percentile", tags, quantileOf(s, 0.99));
    this.push(name, "999_percentile", tags, quantileOf(s, 0.999));
  }
}
