import type { Tags } from "../core/types";
import type { PointSink } from "./fields";
import { Histogram } from "./histogram";
import { rejectUpdate } from "./invalid-updates";
import type { InvalidUpdates } from "./invalid-updates";
import { addRateReadings, Rates } from "./rates";
import type { RateReadings } from "./rates";
import type { Sketch } from "./sketch";

// The rate readings (`meanRate()`, `oneMinuteRate()`…) are defined once in rates.ts, for
// meters and timers, and installed on the prototype below.
// biome-ignore lint/suspicious/noUnsafeDeclarationMerging: declares what addRateReadings installs
export interface Timer extends RateReadings {}

/**
 * Durations in **milliseconds** (the Python client reported seconds): a histogram of
 * them plus the rates of a meter, whose count is the histogram's. `update(ms)` costs what
 * a histogram update costs; `time` and `start` read the registry's clock. A duration that
 * is not a finite number is ignored and counted, as by `Histogram.update`.
 */
// biome-ignore lint/suspicious/noUnsafeDeclarationMerging: see the interface above
export class Timer extends Histogram {
  /** @internal */
  readonly rates: Rates;

  constructor(now: () => number, invalid?: InvalidUpdates) {
    super(invalid);
    this.rates = new Rates(now);
  }

  /** Number of durations recorded. */
  get count(): number {
    return this.totalCount();
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
    const now = this.rates.now;
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
    const now = this.rates.now;
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

  /** @internal a meter's fields (count and rates), then a histogram's without its count, then `sum`. */
  protected override fields(sink: PointSink, name: string, tags: Tags, sketch: Sketch): void {
    sink.meter(name, tags, sketch.count, this.totalCount(), this.rates, sink.now);
    sink.histogram(name, tags, sketch, false);
    sink.push(name, "sum", tags, sketch.sum);
  }
}

addRateReadings(Timer);
