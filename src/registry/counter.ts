/**
 * A count that goes up and down. `inc`/`dec` only touch one number: keep the handle and
 * call it on hot paths.
 */
export class Counter {
  /** @internal current total (read it as `count`). */
  total = 0;
  /** @internal count at the previous delta collection. */
  deltaBase = 0;

  inc(n = 1): void {
    this.total += n;
  }

  dec(n = 1): void {
    this.total -= n;
  }

  /** Current total. */
  get count(): number {
    return this.total;
  }
}
