import type { Tags } from "../core/types";
import type { PointSink } from "./fields";
import { rejectUpdate } from "./invalid-updates";
import type { InvalidUpdates } from "./invalid-updates";
import type { MetricSink } from "./sink";
import { Sketch } from "./sketch";
import { distributionDelta } from "./sketch-delta";

/**
 * The recording side of a histogram: values into a log-bucket sketch. `update` does a
 * logarithm and a few additions, and allocates nothing. A relay-mode page's histograms
 * are these (the relay computes the statistics); `Histogram` adds `snapshot()`.
 */
export class RecordingHistogram {
  /** @internal values since the previous delta collection. */
  cur = new Sketch();
  /** @internal values before it; only exists once a delta collection happened. */
  base: Sketch | undefined = undefined;
  /** @internal the registry's tally of ignored updates; only the rejecting branch reads it. */
  readonly invalid_: InvalidUpdates | undefined;

  constructor(invalid?: InvalidUpdates) {
    this.invalid_ = invalid;
  }

  /**
   * Records `value`. Non-numbers, NaN and ±Infinity are ignored (they cannot be reported)
   * and counted in `apptuit.registry.invalid_updates.count`.
   */
  update(value: number): void {
    if (!this.cur.add(value)) rejectUpdate(this, value);
  }

  /** Number of values recorded. */
  get count(): number {
    return this.totalCount();
  }

  /** @internal total number of values recorded. */
  totalCount(): number {
    return this.cur.count + (this.base === undefined ? 0 : this.base.count);
  }

  /** @internal all values as one sketch (a merged copy once delta collections split them). */
  cumulative(): Sketch {
    if (this.base === undefined) return this.cur;
    const all = new Sketch();
    all.merge(this.base);
    all.merge(this.cur);
    return all;
  }

  /**
   * @internal writes the series: in the `deltas` form the interval's count, moments and
   * sketch buckets; in the `fields` form the statistics of the interval (with `delta`) or
   * of everything. A delta collection closes the interval.
   */
  collect(sink: MetricSink, name: string, tags: Tags, delta: boolean): void {
    if (sink.deltas) sink.delta(name, tags, this.cur.count, distributionDelta(this.deltaKind, this.cur));
    else this.fields(sink, name, tags, delta ? this.cur : this.cumulative());
    if (delta) this.endInterval();
  }

  /** @internal the kind the `deltas` form gives the series. */
  protected get deltaKind(): "histogram" | "timer" {
    return "histogram";
  }

  /** @internal the `fields` form of the values in `sketch`. */
  protected fields(sink: PointSink, name: string, tags: Tags, sketch: Sketch): void {
    sink.histogram(name, tags, sketch, true);
  }

  /** @internal closes a delta interval: its values join the cumulative ones. */
  endInterval(): void {
    if (this.cur.count === 0) return;
    (this.base ??= new Sketch()).merge(this.cur);
    this.cur.reset();
  }
}
