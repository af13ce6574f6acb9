import type { Series, Store } from "../store";
import { lowerBound } from "../store";
import type { Aggregator, Expr, QueryPlan } from "./ast";
import { matchesFilters } from "./match";

/** One series of an output, in the wire shape of docs/wire-format.md. Timestamps in seconds. */
export interface ResultSeries {
  metric: string;
  tags: Record<string, string>;
  aggregatedTags: string[];
  dps: [number, number][];
}

export interface QueryResponseBody {
  outputs: { id: string; result: ResultSeries[] }[];
}

interface Samples {
  metric: string;
  tags: Record<string, string>;
  times: number[];
  values: number[];
}

/** Runs a parsed query over the store for samples in [startMs, endMs]. */
export function evaluate(plan: QueryPlan, store: Store, startMs: number, endMs: number): QueryResponseBody {
  return {
    outputs: plan.outputs.map(({ id, expr }) => ({
      id,
      result: run(expr, store, startMs, endMs).map((s) => ({
        metric: s.metric,
        tags: { ...s.tags },
        aggregatedTags: [],
        dps: s.times.map((t, i): [number, number] => [t / 1000, s.values[i]!]),
      })),
    })),
  };
}

function run(expr: Expr, store: Store, startMs: number, endMs: number): Samples[] {
  if (expr.kind === "downsample") {
    return run(expr.input, store, startMs, endMs).map((s) => downsample(s, expr.intervalMs, expr.aggregator));
  }
  return store
    .metric(expr.metric)
    .filter((series) => matchesFilters(series.tags, expr.filters))
    .map((series) => inRange(series, startMs, endMs))
    .filter((s) => s.times.length > 0)
    .sort(bySeries);
}

function inRange(series: Series, startMs: number, endMs: number): Samples {
  const from = lowerBound(series.times, startMs);
  const to = lowerBound(series.times, endMs + 1);
  return {
    metric: series.metric,
    tags: series.tags,
    times: series.times.slice(from, to),
    values: series.values.slice(from, to),
  };
}

/** Buckets aligned to the epoch (`floor(t / interval) * interval`), labelled by their start. */
export function downsample(samples: Samples, intervalMs: number, aggregator: Aggregator): Samples {
  const times: number[] = [];
  const values: number[] = [];
  let bucket = Number.NaN;
  let acc = 0;
  let count = 0;
  const flush = () => {
    if (count === 0) return;
    times.push(bucket);
    values.push(aggregator === "avg" ? acc / count : aggregator === "count" ? count : acc);
  };
  samples.times.forEach((time, i) => {
    const value = samples.values[i]!;
    const start = Math.floor(time / intervalMs) * intervalMs;
    if (start !== bucket) {
      flush();
      bucket = start;
      acc = aggregator === "min" ? Infinity : aggregator === "max" ? -Infinity : 0;
      count = 0;
    }
    count++;
    if (aggregator === "min") acc = Math.min(acc, value);
    else if (aggregator === "max") acc = Math.max(acc, value);
    else acc += value;
  });
  flush();
  return { ...samples, times, values };
}

function bySeries(a: Samples, b: Samples): number {
  const ka = JSON.stringify(Object.entries(a.tags).sort());
  const kb = JSON.stringify(Object.entries(b.tags).sort());
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}
