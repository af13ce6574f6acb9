import type { Tags } from "../core/types";
import { Counter } from "./counter";
import { Gauge } from "./gauge";
import type { InvalidUpdates } from "./invalid-updates";
import type { MetricKind } from "./kind";
import { RecordingHistogram } from "./recording-histogram";
import { RecordingMeter } from "./recording-meter";
import { RecordingTimer } from "./recording-timer";

/** The handle class of each kind, recording side only: what a relay-mode page holds. */
export interface RecordingKinds {
  counter: Counter;
  gauge: Gauge;
  meter: RecordingMeter;
  histogram: RecordingHistogram;
  timer: RecordingTimer;
}

/** The handle class of each kind, whichever registry hands them out. */
export type HandleKinds = { [kind in MetricKind]: unknown } & { counter: Counter; gauge: Gauge };

/** A handle of any kind, recording side only. */
export type RecordingMetric = RecordingKinds[MetricKind];

/** What recording needs of a registry (runtime metrics, the page's own counts): a page's or the full one. */
export interface RecordingHandles {
  counter(name: string, tags?: Tags): Counter;
  gauge(name: string, tagsOrCallback?: Tags | (() => number), callback?: () => number): Gauge;
  histogram(name: string, tags?: Tags): { update(value: number): void };
}

/** How a registry makes a new handle of each kind: its tally of ignored updates, its clock. */
export type Makers<K extends HandleKinds> = { [kind in MetricKind]: (invalid: InvalidUpdates, now: () => number) => K[kind] };

/** The handles of a relay-mode page. */
export const RECORDING: Makers<RecordingKinds> = {
  counter: (invalid) => new Counter(invalid),
  gauge: (invalid) => new Gauge(invalid),
  meter: (invalid) => new RecordingMeter(invalid),
  histogram: (invalid) => new RecordingHistogram(invalid),
  timer: (invalid, now) => new RecordingTimer(now, invalid),
};
