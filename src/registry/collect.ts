import { collectDelta, readGauge } from "./collect-delta";
import { Counter } from "./counter";
import type { GaugeCallbackError } from "./errors/gauge-callback-error";
import type { Family } from "./family";
import type { PointSink } from "./fields";
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
