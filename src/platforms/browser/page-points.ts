import { ApptuitValidationError } from "../../core/errors/validation-error";
import type { DataPoint, Tags } from "../../core/types";
import { toWireTimestamp, type WirePoint } from "../../core/wire";

/**
 * A relay-mode page's only preparation of its points: tags merged (point > reporter >
 * global) and values checked to be finite numbers. Names, tags and limits are the relay's
 * to check and sanitize (docs/browser-page-size.md): a page carrying that code again would
 * pay for it in every visitor's download and in its page-hide flush.
 *
 * A registry hands out one tags object per series, flush after flush: the merged tags are
 * kept per such object (while the reporter's tags stay the same object), so a flush merges
 * only its new series' tags.
 *
 * The returned function throws `ApptuitValidationError` naming the first non-finite
 * point's `index` (the reporter sets that point aside and prepares the rest).
 */
export function pagePoints(globalTags: Tags): (points: readonly DataPoint[], reporterTags: Tags | undefined) => WirePoint[] {
  let merged = new WeakMap<Tags, Tags>();
  let lastReporterTags: Tags | undefined;
  let base = globalTags;
  return (points, reporterTags) => {
    if (reporterTags !== lastReporterTags) {
      lastReporterTags = reporterTags;
      base = reporterTags === undefined ? globalTags : { ...globalTags, ...reporterTags };
      merged = new WeakMap();
    }
    const out = new Array<WirePoint>(points.length);
    for (let i = 0; i < points.length; i++) {
      const { metric, tags, timestamp, value, delta } = points[i]!;
      if (!Number.isFinite(value) || (delta !== undefined && "sum" in delta && !(Number.isFinite(delta.sum) && Number.isFinite(delta.sumsq) && Number.isFinite(delta.min) && Number.isFinite(delta.max)))) {
        throw new ApptuitValidationError(`point ${i} (${metric}): value must be a finite number`, { index: i, point: points[i], rule: "value must be a finite number", path: "value" });
      }
      let all = base;
      if (tags !== undefined) {
        all = merged.get(tags) ?? { ...base, ...tags };
        merged.set(tags, all);
      }
      const seconds = timestamp instanceof Date ? timestamp.getTime() / 1000 : timestamp;
      const row: WirePoint = { metric, timestamp: toWireTimestamp(seconds), value, tags: all };
      if (delta !== undefined) row.delta = delta;
      out[i] = row;
    }
    return out;
  };
}
