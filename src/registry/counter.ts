import { rejectUpdate } from "./invalid-updates";
import type { InvalidUpdates } from "./invalid-updates";

/**
 * A count that goes up and down. `inc`/`dec` only touch one number: keep the handle and
 * call it on hot paths.
 */
export class Counter {
  /** @internal current total (read it as `count`). */
  total = 0;
  /** @internal count at the previous delta collection. */
  deltaBase = 0;
  /** @internal the registry's tally of ignored updates; only the rejecting branch reads it. */
  readonly invalid: InvalidUpdates | undefined;

  constructor(invalid?: InvalidUpdates) {
    this.invalid = invalid;
  }

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

  /** Current total. */
  get count(): number {
    return this.total;
  }
}
