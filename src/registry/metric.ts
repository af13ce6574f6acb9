import { Counter } from "./counter";
import { Gauge } from "./gauge";
import { Histogram } from "./histogram";
import type { InvalidUpdates } from "./invalid-updates";
import type { MetricKind } from "./kind";
import { Meter } from "./meter";
import { Timer } from "./timer";

/** A handle of any kind: each collects itself (`collect(sink, name, tags, delta)`). */
export type Metric = Counter | Gauge | Meter | Histogram | Timer;

/** A new handle of `kind`: `now` is the registry's clock, `invalid` its tally of ignored updates. */
export function makeMetric(kind: MetricKind, now: () => number, invalid: InvalidUpdates): Metric {
  switch (kind) {
    case "counter":
      return new Counter(invalid);
    case "gauge":
      return new Gauge(invalid);
    case "meter":
      return new Meter(now, invalid);
    case "histogram":
      return new Histogram(invalid);
    case "timer":
      return new Timer(now, invalid);
  }
}
