import type { Tags } from "../core/types";
import { rejectUpdate } from "./invalid-updates";
import { RunningCount } from "./running-count";
import type { MetricSink } from "./sink";

/**
 * A count that goes up and down. `inc`/`dec` only touch one number: keep the handle and
 * call it on hot paths.
 */
export class Counter extends RunningCount {
  /**
   * Adds `n`. Non-numbers, NaN and ±Infinity are ignored (one bad call must not poison the
   * count for good) and counted in `apptuit.registry.invalid_updates.count`.
   */
  inc(n = 1): void {
    if (typeof n === "number" && n - n === 0) this.total += n;
    else rejectUpdate(this, n);
  }

  /** Subtracts `n`; bad values are ignored and counted as for `inc`. */
  dec(n = 1): void {
    if (typeof n === "number" && n - n === 0) this.total -= n;
    else rejectUpdate(this, n);
  }

  /**
   * @internal writes the series' point: `name.count`, the total or with `delta` what was
   * added since the previous delta collection (the `deltas` form is always a delta).
   */
  collect(sink: MetricSink, name: string, tags: Tags, delta: boolean): void {
    // One call for either form (the fields form drops the kind).
    sink.delta(`${name}.count`, tags, this.take_(delta), { kind: "sum" });
  }
}
