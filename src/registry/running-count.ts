import type { InvalidUpdates } from "./invalid-updates";

/** The state of a counter and of a meter: a running total, and where the previous delta collection left it. */
export abstract class RunningCount {
  /** @internal current total (read it as `count`). */
  total = 0;
  /** @internal total at the previous delta collection. */
  base_ = 0;
  /** @internal the registry's tally of ignored updates; only the rejecting branch reads it. */
  readonly invalid_: InvalidUpdates | undefined;

  constructor(invalid?: InvalidUpdates) {
    this.invalid_ = invalid;
  }

  /** Current total. */
  get count(): number {
    return this.total;
  }

  /** @internal the count to collect: the total, or with `delta` what was added since the previous delta collection (which it closes). */
  protected take_(delta: boolean): number {
    if (!delta) return this.total;
    const added = this.total - this.base_;
    this.base_ = this.total;
    return added;
  }
}
