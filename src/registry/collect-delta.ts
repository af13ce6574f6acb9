import type { SeriesDelta } from "../core/series-delta";
import type { Tags } from "../core/types";
import { Counter } from "./counter";
import { GaugeCallbackError } from "./errors/gauge-callback-error";
import { Gauge } from "./gauge";
import type { Histogram } from "./histogram";
import { Meter } from "./meter";
import { distributionDelta } from "./sketch-delta";
import { Timer } from "./timer";

type Metric = Counter | Gauge | Meter | Histogram | Timer;

/** Where the `deltas` form's points go (a `PointSink`, or a page's own list). */
export interface DeltaSink {
  delta(metric: string, tags: Tags, value: number, delta: SeriesDelta): void;
}

/** A gauge's reading; undefined (and reported) when its callback threw. */
export function readGauge(name: string, tags: Tags, metric: Gauge, onError?: (error: GaugeCallbackError) => void): number | undefined {
  const fromCallback = metric.callback !== undefined;
  let value: number;
  try {
    value = metric.value;
  } catch (error) {
    // A failing callback must not break the collection of everything else.
    onError?.(new GaugeCallbackError(name, tags, "threw", error));
    return undefined;
  }
  // A plain gauge never set is NaN by design (nothing to report); a callback's NaN is a bug.
  if (fromCallback && !Number.isFinite(value)) onError?.(new GaugeCallbackError(name, tags, `returned ${typeof value === "number" ? value : typeof value}`));
  return value;
}

/**
 * The `deltas` form: one point per series with its kind, and only what happened since the
 * previous collection, so an aggregator can add every writer's share. Series with nothing
 * new still report their zero, as the `fields` form does.
 */
export function collectDelta(sink: DeltaSink, name: string, tags: Tags, metric: Metric, onError?: (error: GaugeCallbackError) => void): void {
  if (metric instanceof Counter) {
    sink.delta(`${name}.count`, tags, metric.total - metric.deltaBase, { kind: "sum" });
    metric.deltaBase = metric.total;
  } else if (metric instanceof Gauge) {
    const value = readGauge(name, tags, metric, onError);
    if (value !== undefined) sink.delta(`${name}.value`, tags, value, { kind: "mean" });
  } else if (metric instanceof Meter) {
    sink.delta(name, tags, metric.total - metric.deltaBase, { kind: "meter" });
    metric.deltaBase = metric.total;
  } else {
    sink.delta(name, tags, metric.cur.count, distributionDelta(metric instanceof Timer ? "timer" : "histogram", metric.cur));
    metric.endInterval();
  }
}
