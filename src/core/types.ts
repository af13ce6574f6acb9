/**
 * Shared public types of the core layer. Everything above `core/` (registry output,
 * reporter, platform adapters, relay) speaks in these shapes.
 */
import type { SeriesDelta } from "./series-delta";

/** Tag set of a point or series: string keys to non-empty string values. */
export type Tags = Record<string, string>;

/**
 * One datapoint, as the Python client's `DataPoint(metric, tags, timestamp, value)`.
 *
 * `timestamp` is Unix epoch **seconds** (fractions allowed: they are sent as
 * milliseconds, which OpenTSDB-compatible servers read from a 13-digit integer).
 * A `Date` is accepted too.
 */
export interface DataPoint {
  metric: string;
  tags?: Tags;
  timestamp: number | Date;
  value: number;
  /** Only on the way to an aggregating relay: the series' kind and mergeable delta. */
  delta?: SeriesDelta;
}

/** A whole series at once: `timestamps[i]` goes with `values[i]`. */
export interface TimeSeriesInput {
  metric: string;
  tags?: Tags;
  timestamps: ReadonlyArray<number | Date>;
  values: ReadonlyArray<number>;
}

/**
 * How metric names and tag keys are rewritten before sending (docs/wire-format.md).
 * `false` sends names as given and rejects invalid ones.
 */
export type SanitizeMode = "prometheus" | "apptuit" | false;

/**
 * `fields`: one point per field of Dropwizard-style names (docs/metrics.md) (`count`, `99_percentile`, …).
 * `deltas`: one point per series with its kind and mergeable delta, for an aggregating relay.
 */
export type CollectForm = "fields" | "deltas";

/** Cumulative (Dropwizard) totals, or only what happened since the last collection. */
export type Temporality = "cumulative" | "delta";

/** What a collection of the registry yields: a point without its timestamp. */
export interface CollectedPoint {
  /** `name + "." + field`, not yet prefixed or sanitized, e.g. `response_time.99_percentile`. */
  metric: string;
  tags: Tags;
  value: number;
  /** With `form: "deltas"`: the series' kind and mergeable interval (then `metric` may be a bare name). */
  delta?: SeriesDelta;
}

/**
 * Anything that can be collected into points: the `MetricsRegistry` implements it, and
 * the reporter only depends on this interface.
 */
export interface Collectable {
  /** `onError` hears of problems that cost a point but not the collection (a failing callback gauge). */
  collect(options?: { now?: number; temporality?: Temporality; form?: CollectForm; onError?: (error: Error) => void }): CollectedPoint[];
}
