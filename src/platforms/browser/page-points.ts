import { ApptuitValidationError } from "../../core/errors/validation-error";
import type { DataPoint, Tags } from "../../core/types";
import type { WirePoint } from "../../core/wire";
import type { Prepared } from "../../reporter/prepare-valid";
import { FORBIDDEN_KEYS, MAX_NAME_LENGTH, MAX_TAGS } from "../../core/wire-rules";

/**
 * A relay-mode page's only preparation of its points: tags merged (point > reporter >
 * global), values checked to be finite numbers, and a series checked against what would
 * make the relay refuse its whole body (an empty or overlong string, too many tags, a key
 * such as `constructor`). Name rules and sanitizing are the relay's (docs/browser-page-size.md):
 * a page carrying that code again would pay for it in every visitor's download and in its
 * page-hide flush.
 *
 * A registry hands out one tags object per series, flush after flush: the merged tags are
 * kept per such object (while the reporter's tags stay the same object), so a flush merges
 * only its new series' tags.
 *
 * Times become milliseconds (not the general wire form, seconds when whole): the page
 * writer writes them as they are.
 *
 * The returned function never throws: it prepares the valid points and sets each other one
 * aside with an `ApptuitValidationError` naming its `index` and rule, in one pass.
 */
export function pagePoints(globalTags: Tags): (points: readonly DataPoint[], reporterTags: Tags | undefined) => Prepared {
  let merged = new WeakMap<Tags, Tags>();
  let lastReporterTags: Tags | undefined;
  let base = globalTags;
  return (points, reporterTags) => {
    if (reporterTags !== lastReporterTags) {
      lastReporterTags = reporterTags;
      base = reporterTags === undefined ? globalTags : { ...globalTags, ...reporterTags };
      merged = new WeakMap();
    }
    const valid: WirePoint[] = [];
    const errors: unknown[] = [];
    for (let i = 0; i < points.length; i++) {
      const row = prepare(points[i]!, i);
      if (row !== undefined) valid.push(row);
    }
    return { valid, errors, invalid: errors.length };

    /** The wire row, or undefined with the point's error noted. */
    function prepare(point: DataPoint, i: number): WirePoint | undefined {
      const { metric, tags, timestamp, value, delta } = point;
      const refuse = (rule: string, path: string): undefined => {
        errors.push(new ApptuitValidationError(`point ${i} (${metric}): ${rule}`, { index: i, point, rule, path }));
      };
      if (
        !Number.isFinite(value) ||
        (delta !== undefined && "sum" in delta && ![delta.sum, delta.sumsq, delta.min, delta.max].every(Number.isFinite))
      ) {
        return refuse("value must be a finite number", "value");
      }
      if (!fits(metric)) return refuse(`metric must be a string of 1 to ${MAX_NAME_LENGTH} characters`, "metric");
      let all = tags === undefined ? base : merged.get(tags);
      if (all === undefined) {
        all = { ...base, ...tags };
        const keys = Object.keys(all);
        if (keys.length > MAX_TAGS) return refuse(`at most ${MAX_TAGS} tags`, "tags");
        for (const k of keys) {
          if (FORBIDDEN_KEYS.has(k)) return refuse(`forbidden tag key "${k}"`, `tags.${k}`);
          if (!fits(k) || !fits(all[k]))
            return refuse(`tag keys and values must be strings of 1 to ${MAX_NAME_LENGTH} characters`, `tags.${k}`);
        }
        merged.set(tags!, all);
      }
      // Milliseconds, which the page writer writes as they are (`u: "ms"`, `t0` 0).
      const ms = typeof timestamp === "number" ? Math.round(timestamp * 1000) : timestamp.getTime();
      const row: WirePoint = { metric, timestamp: ms, value, tags: all };
      if (delta !== undefined) row.delta = delta;
      return row;
    }
  };
}

/** What the relay's compact format takes as a string: 1 to `MAX_NAME_LENGTH` characters. */
const fits = (s: unknown): boolean => typeof s === "string" && s.length > 0 && s.length <= MAX_NAME_LENGTH;
