import type { DeltaKind } from "../../core/series-delta";
import type { Tags } from "../../core/types";

/** Kind, name and sorted tags: one series of one kind (the aggregation state's key, and what shards hash). */
export function seriesKey(row: { kind: DeltaKind; metric: string; tags: Tags }): string {
  const keys = Object.keys(row.tags).sort();
  let key = `${row.kind}\u0000${row.metric}`;
  for (const k of keys) key += `\u0000${k}\u0000${row.tags[k]}`;
  return key;
}
