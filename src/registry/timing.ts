import { type InvalidUpdates, rejectUpdate } from "./invalid-updates";

/** What a timer records into: durations in milliseconds, on its registry's clock. */
export interface Timed {
  readonly clock: () => number;
  readonly invalid_: InvalidUpdates | undefined;
  update(ms: number): void;
}

/**
 * A timer's `time(fn)`: runs `fn` and records how long it took, until its promise settles
 * if it returns one (fulfilled or rejected). Returns what `fn` returns; a throw is recorded
 * and rethrown. Given something that is not a function, it records nothing and counts it
 * in `apptuit.registry.invalid_updates.count`. Shared by the full registry's timers and a
 * page's.
 */
export function timeCall<T>(timer: Timed, fn: () => T): T {
  if (typeof fn !== "function") {
    // Nothing to run or time: ignored and counted like an update that cannot be used.
    rejectUpdate(timer, fn);
    return undefined as T;
  }
  const now = timer.clock;
  const t0 = now();
  const done = () => timer.update(now() - t0);
  let result: T;
  try {
    result = fn();
  } catch (error) {
    done();
    throw error;
  }
  const thenable = result as { then?: unknown } | null | undefined;
  if (thenable != null && typeof thenable.then === "function") {
    return (result as PromiseLike<unknown>).then(
      (value) => {
        done();
        return value;
      },
      (error: unknown) => {
        done();
        throw error;
      },
    ) as T;
  }
  done();
  return result;
}

/** A timer's `start()`: a function that records the time elapsed since, and returns it (ms). */
export function stopwatch(timer: Timed): () => number {
  const now = timer.clock;
  const t0 = now();
  return () => {
    const elapsed = now() - t0;
    timer.update(elapsed);
    return elapsed;
  };
}
