/**
 * A value set by the application (`set`), or read from a callback when the registry is
 * collected (a callback gauge: `registry.gauge("queue", () => queue.length)`).
 */
export class Gauge {
  /** @internal */
  callback: (() => number) | undefined;
  private current = Number.NaN;

  constructor(callback?: () => number) {
    this.callback = callback;
  }

  /** Sets the value; a callback gauge stops calling its callback once set. */
  set(value: number): void {
    this.current = value;
    this.callback = undefined;
  }

  /** The last value set, or the callback's value now; `NaN` before either exists. */
  get value(): number {
    return this.callback === undefined ? this.current : this.callback();
  }
}
