import type { InvalidUpdates } from "./invalid-updates";
import { rejectUpdate } from "./invalid-updates";
import { RecordingHistogram } from "./recording-histogram";

/**
 * The recording side of a timer: durations in **milliseconds** into a histogram, and
 * `time` and `start` on the registry's clock. A relay-mode page's timers are these (the
 * relay computes statistics and rates); `Timer` adds `snapshot()` and the rates.
 */
export class RecordingTimer extends RecordingHistogram {
  /** @internal the registry's clock. */
  readonly clock: () => number;

  constructor(now: () => number, invalid?: InvalidUpdates) {
    super(invalid);
    this.clock = now;
  }

  /**
   * Runs `fn` and records how long it took, until its promise settles if it returns one
   * (fulfilled or rejected). Returns what `fn` returns; a throw is recorded and rethrown.
   * Given something that is not a function, it records nothing and counts it in
   * `apptuit.registry.invalid_updates.count`.
   */
  time<T>(fn: () => T): T {
    if (typeof fn !== "function") {
      // Nothing to run or time: ignored and counted like an update that cannot be used.
      rejectUpdate(this, fn);
      return undefined as T;
    }
    const now = this.clock;
    const t0 = now();
    let result: T;
    try {
      result = fn();
    } catch (error) {
      this.update(now() - t0);
      throw error;
    }
    const thenable = result as { then?: unknown } | null | undefined;
    if (thenable != null && typeof thenable.then === "function") {
      return (result as PromiseLike<unknown>).then(
        (value) => {
          this.update(now() - t0);
          return value;
        },
        (error: unknown) => {
          this.update(now() - t0);
          throw error;
        },
      ) as T;
    }
    this.update(now() - t0);
    return result;
  }

  /** Starts timing; the returned function records and returns the elapsed milliseconds. */
  start(): () => number {
    const now = this.clock;
    const t0 = now();
    return () => {
      const elapsed = now() - t0;
      this.update(elapsed);
      return elapsed;
    };
  }

  /** @internal */
  protected override get deltaKind(): "timer" {
    return "timer";
  }
}
