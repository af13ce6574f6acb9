import type { Tags } from "../core/types";
import type { PointSink } from "./fields";
import type { InvalidUpdates } from "./invalid-updates";
import { addRateReadings, Rates } from "./rates";
import type { RateReadings } from "./rates";
import { RecordingTimer } from "./recording-timer";
import type { Sketch } from "./sketch";
import { HistogramSnapshot } from "./snapshot";

// The rate readings (`meanRate()`, `oneMinuteRate()`…) are defined once in rates.ts, for
// meters and timers, and installed on the prototype below.
export interface Timer extends RateReadings {}

/**
 * Durations in **milliseconds** (the Python client reported seconds): a histogram of
 * them plus the rates of a meter, whose count is the histogram's. `update(ms)` costs what
 * a histogram update costs; `time` and `start` read the registry's clock. A duration that
 * is not a finite number is ignored and counted, as by `Histogram.update`.
 */
// biome-ignore lint/suspicious/noUnsafeDeclarationMerging: the interface above declares what addRateReadings installs
export class Timer extends RecordingTimer {
  /** @internal */
  readonly rates: Rates;

  constructor(now: () => number, invalid?: InvalidUpdates) {
    super(now, invalid);
    this.rates = new Rates(now);
  }

  /** Every duration recorded so far. */
  snapshot(): HistogramSnapshot {
    return new HistogramSnapshot(this.cumulative());
  }

  /** @internal a meter's fields (count and rates), then a histogram's without its count, then `sum`. */
  protected override fields(sink: PointSink, name: string, tags: Tags, sketch: Sketch): void {
    sink.meter(name, tags, sketch.count, this.totalCount(), this.rates, sink.now);
    sink.histogram(name, tags, sketch, false);
    sink.push(name, "sum", tags, sketch.sum);
  }
}

addRateReadings(Timer);
