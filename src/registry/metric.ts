import type { Counter } from "./counter";
import type { Gauge } from "./gauge";
import { Histogram } from "./histogram";
import type { MetricKind } from "./kind";
import { type Makers, RECORDING } from "./kinds";
import { Meter } from "./meter";
import { Timer } from "./timer";

/** The handle class of each kind in the full registry: recording and reading (rates, `snapshot()`). */
export interface FullKinds {
  counter: Counter;
  gauge: Gauge;
  meter: Meter;
  histogram: Histogram;
  timer: Timer;
}

/** A handle of any kind: each collects itself (`collect(sink, name, tags, delta)`). */
export type Metric = FullKinds[MetricKind];

/** The full registry's handles: counters and gauges as a page's, the others with their reading side. */
export const FULL: Makers<FullKinds> = {
  ...RECORDING,
  meter: (invalid, now) => new Meter(now, invalid),
  histogram: (invalid) => new Histogram(invalid),
  timer: (invalid, now) => new Timer(now, invalid),
};
