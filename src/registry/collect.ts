import { Counter } from "./counter";
import { GaugeCallbackError } from "./errors/gauge-callback-error";
import type { Family } from "./family";
import type { PointSink } from "./fields";
import type { Tags } from "../core/types";
import { distributionDelta } from "./sketch-delta";
import { Gauge } from "./gauge";
import { Histogram } from "./histogram";
import { Meter } from "./meter";
import { Timer } from "./timer";

type Metric = Counter | Gauge | Meter | Histogram | Timer;

/**
 * Collects every series of a family. Delta state (counts at the previous delta
 * collection, the interval sketch) only moves on delta collections.
 */
export function collectFamily(
  sink: PointSink,
  family: Family<Metric>,
  now: number,
  delta: boolean,
  onError?: (error: GaugeCallbackError) => void,
): void {
  const name = family.name;
  family.forEach((metric, tags) => {
    if (sink.deltas) {
      collectDelta(sink, name, tags, metric, onError);
    } else if (metric instanceof Counter) {
      sink.push(name, "count", tags, delta ? metric.total - metric.deltaBase : metric.total);
      if (delta) metric.deltaBase = metric.total;
    } else if (metric instanceof Gauge) {
      const value = readGauge(name, tags, metric, onError);
      if (value !== undefined) sink.push(name, "value", tags, value);
    } else if (metric instanceof Meter) {
      const count = delta ? metric.total - metric.deltaBase : metric.total;
      if (delta) metric.deltaBase = metric.total;
      sink.meter(name, tags, count, metric.total, metric.rates, now);
    } else if (metric instanceof Timer) {
      const sketch = delta ? metric.cur : metric.cumulative();
      sink.meter(name, tags, sketch.count, metric.totalCount(), metric.rates, now);
      sink.histogram(name, tags, sketch, false);
      sink.push(name, "sum", tags, sketch.sum);
      if (delta) metric.endInterval();
    } else {
      sink.histogram(name, tags, delta ? metric.cur : metric.cumulative(), true);
      if (delta) metric.endInterval();
    }
  });
}

/** A gauge's reading; undefined (and reported) when its callback threw. */
function readGauge(name: string, tags: Tags, metric: Gauge, onError?: (error: GaugeCallbackError) => void): number | undefined {
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
function collectDelta(sink: PointSink, name: string, tags: Tags, metric: Metric, onError?: (error: GaugeCallbackError) => void): void {
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
