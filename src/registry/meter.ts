import { rejectUpdate } from "./invalid-updates";
import type { InvalidUpdates } from "./invalid-updates";
import { Rates } from "./rates";

/**
 * Counts events and their rates. `mark` is one addition; the moving averages are caught
 * up lazily on read (see `Rates`).
 */
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

  /** Events per second since the meter was created. */
  meanRate(): number {
    return this.rates.mean(this.rates.now(), this.total);
  }

  oneMinuteRate(): number {
    this.tick();
    return this.rates.m1;
  }

  fiveMinuteRate(): number {
    this.tick();
    return this.rates.m5;
  }

  fifteenMinuteRate(): number {
    this.tick();
    return this.rates.m15;
  }

  /** @internal */
  tick(now = this.rates.now()): void {
    this.rates.tick(now, this.total);
  }
}
