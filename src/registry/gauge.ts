import { rejectUpdate } from "./invalid-updates";
import type { InvalidUpdates } from "./invalid-updates";

/**
 * A value set by the application (`set`), or read from a callback when the registry is
 * collected (a callback gauge: `registry.gauge("queue", () => queue.length)`).
 */
export class Gauge {
  /** @internal */
  callback: (() => number) | undefined;
  private current = Number.NaN;
  /** @internal the registry's tally of ignored updates; only the rejecting branch reads it. */
  readonly invalid: InvalidUpdates | undefined;

  constructor(invalid?: InvalidUpdates, callback?: () => number) {
    this.invalid = invalid;
    this.callback = callback;
  }

  /**
   * Sets the value; a callback gauge stops calling its callback once set. Non-numbers, NaN
   * and ±Infinity are ignored (the gauge keeps what it had: they cannot be reported) and
   * counted in `apptuit.registry.invalid_updates.count`.
   */
  set(value: number): void {
    if (typeof value === "number" && value - value === 0) {
      this.current = value;
      this.callback = undefined;
    } else rejectUpdate(this, value);
  }

  /** The last value set, or the callback's value now; `NaN` before either exists. */
  get value(): number {
    return this.callback === undefined ? this.current : this.callback();
  }
}
