/**
 * What one writer recorded for one series since its previous flush, in a form an
 * aggregator can merge with every other writer's (docs/compact-format.md):
 *
 * - `sum`: the point's value is a delta to add up (counters, counts);
 * - `mean`: the point's value is a reading; the aggregate is the mean of the readings (gauges);
 * - `meter`: the point's value is the count of events; rates are derived by the aggregator;
 * - `histogram` / `timer`: the point's value is the count; the rest is below.
 *
 * For `meter`, `histogram` and `timer` the point's metric is the series' name without a
 * field (the aggregator appends `.count`, `.99_percentile`, …); for `sum` and `mean` it is
 * the full name as written.
 */
export type SeriesDelta = { kind: "sum" | "mean" | "meter" } | ({ kind: "histogram" | "timer" } & DistributionDelta);

/** A histogram's interval: exact moments and the log-bucket sketch's counts. */
export interface DistributionDelta {
  sum: number;
  /** Sum of the squares of the values. */
  sumsq: number;
  min: number;
  max: number;
  /** Values equal to 0. */
  zero: number;
  /** Positive values: `[firstBucketIndex, count, count, …]`, `[]` when none. */
  pos: number[];
  /** Negative values by bucket of their magnitude, same layout. */
  neg: number[];
}

export type DeltaKind = SeriesDelta["kind"];
