import { SDK_TAG } from "../core/sdk-tag";
import type { Tags } from "../core/types";
import type { MetricSink } from "./sink";

/**
 * Name of the registry's own metric: lookups given a detached handle, past the
 * `maxSeries` bound or invalid beyond repair.
 */
export const SERIES_REFUSED = "apptuit.registry.series_refused";

/** Name of the registry's own metric: lookups whose name or tags were repaired. */
export const SERIES_REPAIRED = "apptuit.registry.series_repaired";

/** Name of the registry's own metric: updates ignored as not finite numbers (`inc(NaN)`, `mark("3")`). */
export const INVALID_UPDATES = "apptuit.registry.invalid_updates";

/** A running count of the registry's own. */
export interface MetaCount {
  total: number;
  base_: number;
}

/**
 * Pushes `name.count` once the count is above zero: the total, or with `delta` what was
 * added since the previous delta collection.
 */
export function pushMetaCount(sink: MetricSink, name: string, count: MetaCount, delta: boolean): void {
  if (count.total === 0) return;
  const tags: Tags = { ...SDK_TAG };
  const value = delta ? count.total - count.base_ : count.total;
  // One call for either form (the fields form drops the kind).
  sink.delta(`${name}.count`, tags, value, { kind: "sum" });
  if (delta) count.base_ = count.total;
}
