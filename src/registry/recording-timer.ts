import type { InvalidUpdates } from "./invalid-updates";
import { RecordingHistogram } from "./recording-histogram";
import { stopwatch, timeCall } from "./timing";

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
    return timeCall(this, fn);
  }

  /** Starts timing; the returned function records and returns the elapsed milliseconds. */
  start(): () => number {
    return stopwatch(this);
  }

  /** @internal */
  protected override get deltaKind(): "timer" {
    return "timer";
  }
}
