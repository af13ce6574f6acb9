/**
 * A count that goes up and down. `inc`/`dec` only touch one number: keep the handle and
 * call it on hot paths.
 */
export class Counter {
  /** @internal current total (read it as `count`). */
  total = 0;
  /** @internal count at the previous delta collection. */
  deltaBase = 0;

  /** Adds `n`; non-numbers, NaN and ±Infinity are ignored: one bad call must not poison the count for good. */
  inc(n = 1): void {
    if (typeof n === "number" && n - n === 0) this.total += n;
  }

  dec(n = 1): void {
    if (typeof n === "number" && n - n === 0) this.total -= n;
  }

  /** Current total. */
  get count(): number {
    return this.total;
  }
}
