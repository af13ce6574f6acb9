import type { Tags } from "../core/types";
import { GaugeCallbackError } from "./errors/gauge-callback-error";
import { rejectUpdate } from "./invalid-updates";
import type { InvalidUpdates } from "./invalid-updates";
import type { MetricSink } from "./sink";

/**
 * A value set by the application (`set`), or read from a callback when the registry is
 * collected (a callback gauge: `registry.gauge("queue", () => queue.length)`).
 */
export class Gauge {
  /** @internal the callback read at every collection, if any (a trailing `_`: internal, docs/browser-page-size.md). */
  fn_: (() => number) | undefined;
  private current_ = Number.NaN;
  /** @internal the registry's tally of ignored updates; only the rejecting branch reads it. */
  readonly invalid_: InvalidUpdates | undefined;

  constructor(invalid?: InvalidUpdates, callback?: () => number) {
    this.invalid_ = invalid;
    this.fn_ = callback;
  }

  /**
   * Sets the value; a callback gauge stops calling its callback once set. Non-numbers, NaN
   * and ±Infinity are ignored (the gauge keeps what it had: they cannot be reported) and
   * counted in `apptuit.registry.invalid_updates.count`.
   */
  set(value: number): void {
    if (typeof value === "number" && value - value === 0) {
      this.current_ = value;
      this.fn_ = undefined;
    } else rejectUpdate(this, value);
  }

  /** The last value set, or the callback's value now; `NaN` before either exists. */
  get value(): number {
    return this.fn_ === undefined ? this.current_ : this.fn_();
  }

  /**
   * @internal writes the series' point, `name.value`: the reading now, in either form
   * (a gauge has no delta state). A failing callback is told to the sink's `onError` and
   * leaves its point out.
   */
  collect(sink: MetricSink, name: string, tags: Tags): void {
    const value = this.read(name, tags, sink.onError);
    // One call for either form (the fields form drops the kind).
    if (value !== undefined) sink.delta(`${name}.value`, tags, value, { kind: "mean" });
  }

  /** The reading; undefined (and reported) when the callback threw. */
  private read(name: string, tags: Tags, onError: ((error: GaugeCallbackError) => void) | undefined): number | undefined {
    const fromCallback = this.fn_ !== undefined;
    let value: number;
    try {
      value = this.value;
    } catch (error) {
      // A failing callback must not break the collection of everything else.
      onError?.(new GaugeCallbackError(name, tags, "threw", error));
      return undefined;
    }
    // A plain gauge never set is NaN by design (nothing to report); a callback's NaN is a bug.
    if (fromCallback && !Number.isFinite(value))
      onError?.(new GaugeCallbackError(name, tags, `returned ${typeof value === "number" ? value : typeof value}`));
    return value;
  }
}
