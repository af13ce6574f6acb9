/**
 * At most one flush per `interval` milliseconds. Edge runtimes have no timer that
 * outlives a request, so the adapters ask this after every request instead of ticking:
 * a busy isolate sends one request per interval, not one per request it serves.
 */
export class FlushThrottle {
  /** Epoch ms of the last flush started; -Infinity so the first request of an isolate flushes. */
  #last = Number.NEGATIVE_INFINITY;

  constructor(
    readonly interval: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** True, and counts as a flush started now, when `interval` ms have passed since the last one. */
  take(): boolean {
    const now = this.now();
    if (now - this.#last < this.interval) return false;
    this.#last = now;
    return true;
  }

  /** Records a flush started outside `take()` (e.g. a forced one on `scheduled`). */
  mark(): void {
    this.#last = this.now();
  }
}
