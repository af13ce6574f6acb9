import type { Tags } from "../core/types";
import { rejectUpdate } from "./invalid-updates";
import type { InvalidUpdates } from "./invalid-updates";
import { addRateReadings, Rates } from "./rates";
import type { RateReadings } from "./rates";
import type { MetricSink } from "./sink";

// The rate readings (`meanRate()`, `oneMinuteRate()`…) are defined once in rates.ts, for
// meters and timers, and installed on the prototype below.
// biome-ignore lint/suspicious/noUnsafeDeclarationMerging: declares what addRateReadings installs
export interface Meter extends RateReadings {}

/**
 * Counts events and their rates. `mark` is one addition; the moving averages are caught
 * up lazily on read (see `Rates`).
 */
// biome-ignore lint/suspicious/noUnsafeDeclarationMerging: see the interface above
export class Meter {
  /** @internal events so far (read it as `count`). */
  total = 0;
  /** @internal count at the previous delta collection. */
  deltaBase = 0;
  /** @internal */
  readonly rates: Rates;
  /** @internal the registry's tally of ignored updates; only the rejecting branch reads it. */
  readonly invalid: InvalidUpdates | undefined;

  constructor(now: () => number, invalid?: InvalidUpdates) {
    this.rates = new Rates(now);
    this.invalid = invalid;
  }

  /**
   * Marks `n` events. Non-numbers, NaN and ±Infinity are ignored (they would poison count
   * and rates for good) and counted in `apptuit.registry.invalid_updates.count`.
   */
  mark(n = 1): void {
    if (typeof n === "number" && n - n === 0) this.total += n;
    else rejectUpdate(this, n);
  }

  /** Events marked so far. */
  get count(): number {
    return this.total;
  }

  /**
   * @internal writes the series: the count (what was marked since the previous delta
   * collection, with `delta`), and in the `fields` form the rates at the sink's `now`.
   */
  collect(sink: MetricSink, name: string, tags: Tags, delta: boolean): void {
    const count = delta ? this.total - this.deltaBase : this.total;
    if (sink.deltas) sink.delta(name, tags, count, { kind: "meter" });
    else sink.meter(name, tags, count, this.total, this.rates, sink.now);
    if (delta) this.deltaBase = this.total;
  }
}

addRateReadings(Meter);
