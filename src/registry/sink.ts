import type { SeriesDelta } from "../core/series-delta";
import type { Tags } from "../core/types";
import type { GaugeCallbackError } from "./errors/gauge-callback-error";
import type { PointSink } from "./fields";

/**
 * A sink that only takes the `deltas` form (a page's registry): one point per series with
 * its kind, and only what happened since the previous collection.
 */
export interface DeltaSink {
  readonly deltas: true;
  /** Told of each callback gauge that threw or returned a non-finite value. */
  readonly onError: ((error: GaugeCallbackError) => void) | undefined;
  delta(metric: string, tags: Tags, value: number, delta: SeriesDelta): void;
}

/**
 * Where a metric's `collect` writes its points: `deltas` says which form. Only the full
 * registry's `PointSink` writes the `fields` form, so a page never bundles it.
 */
export type MetricSink = DeltaSink | PointSink;

/** A metric kind's own collection (see `Counter.collect`). */
export interface Collects {
  collect(sink: MetricSink, name: string, tags: Tags, delta: boolean): void;
}
