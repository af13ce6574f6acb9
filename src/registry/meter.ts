import type { Tags } from "../core/types";
import type { PointSink } from "./fields";
import type { InvalidUpdates } from "./invalid-updates";
import { addRateReadings, Rates } from "./rates";
import type { RateReadings } from "./rates";
import { RecordingMeter } from "./recording-meter";

// The rate readings (`meanRate()`, `oneMinuteRate()`…) are defined once in rates.ts, for
// meters and timers, and installed on the prototype below.
export interface Meter extends RateReadings {}

/**
 * Counts events and their rates. `mark` is one addition; the moving averages are caught
 * up lazily on read (see `Rates`).
 */
// biome-ignore lint/suspicious/noUnsafeDeclarationMerging: the interface above declares what addRateReadings installs
export class Meter extends RecordingMeter {
  /** @internal */
  readonly rates: Rates;

  constructor(now: () => number, invalid?: InvalidUpdates) {
    super(invalid);
    this.rates = new Rates(now);
  }

  /** @internal `count` and the rates at the sink's `now`. */
  protected override fields(sink: PointSink, name: string, tags: Tags, count: number): void {
    sink.meter(name, tags, count, this.total, this.rates, sink.now);
  }
}

addRateReadings(Meter);
