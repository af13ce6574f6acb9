import type { Family } from "./family";
import type { Collects, MetricSink } from "./sink";

/**
 * Collects every series of `families`: each metric writes its own points. Delta state
 * (counts at the previous delta collection, the interval sketch) only moves with `delta`,
 * which the `deltas` form always is.
 */
export function collectFamilies<M extends Collects>(sink: MetricSink, families: Iterable<Family<M>>, delta: boolean): void {
  for (const family of families) {
    const name = family.name;
    family.forEach((metric, tags) => {
      metric.collect(sink, name, tags, delta);
    });
  }
}
