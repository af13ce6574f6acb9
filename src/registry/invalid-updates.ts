/**
 * The registry's tally of updates its handles ignored: `inc(NaN)`, `mark("3")`,
 * `update(-Infinity)`, `set(NaN)`… Every handle keeps a pointer to its registry's one
 * tally and only touches it on the rejecting branch, so a valid update costs what it did.
 */
export class InvalidUpdates {
  /** Updates ignored so far. */
  total = 0;
  /** `total` at the previous delta collection. */
  base_ = 0;

  /** @param notify told of each ignored update (the registry's `onInvalidUpdate`, if any). */
  constructor(private readonly notify_?: (handle: object, value: unknown) => void) {}

  /** The cold branch of every update method: count, then tell. */
  record(handle: object, value: unknown): void {
    this.total++;
    if (this.notify_ !== undefined) this.notify_(handle, value);
  }
}

/**
 * The rejecting branch of every update method. A function rather than an inline
 * `this.invalid_?.record(…)`: V8 inlines hot methods by bytecode size, so the branch that
 * never runs on a valid update should add as few bytes to them as possible.
 */
export function rejectUpdate(handle: { readonly invalid_: InvalidUpdates | undefined }, value: unknown): void {
  handle.invalid_?.record(handle, value);
}
