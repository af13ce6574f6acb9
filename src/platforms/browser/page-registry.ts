import { sortedKeys } from "../../core/tags";
import type { CollectedPoint, Tags } from "../../core/types";
import { collectFamilies } from "../../registry/collect";
import type { GaugeCallbackError } from "../../registry/errors/gauge-callback-error";
import { SeriesHandles } from "../../registry/handles";
import type { MetricKind } from "../../registry/kind";
import { INVALID_UPDATES, pushMetaCount, SERIES_REFUSED } from "../../registry/meta";
import { RECORDING, type RecordingKinds, type RecordingMetric } from "../../registry/kinds";
import { normalizeTags } from "../../registry/normalize";
import type { DeltaSink } from "../../registry/sink";

export interface PageRegistryOptions {
  /** Most series held, default 10 000; past it a lookup gets a detached handle (counted in `apptuit.registry.series_refused.count`). */
  maxSeries?: number;
  /** Clock in milliseconds (timers); default `performance.timeOrigin + performance.now()`. */
  now?: () => number;
}

/**
 * The registry of a relay-mode page (`MetricsRegistry` of `dist/apptuit.iife.js` and
 * `apptuit/browser/relay`): the recording side of the full registry — the same handles,
 * sketches and hot lookup — without its reading side (docs/browser-page-size.md).
 *
 * `collect()` always gives the `deltas` form (one point per series with its kind: what
 * happened since the previous collection), which is all a relay takes; the relay expands
 * it into fields, rates and percentiles. Names and tags are used as given (values turned
 * into strings, `null`/`undefined` values dropped): encoded names are not decoded and
 * nothing is repaired, since the relay checks and sanitizes every series. A lookup that
 * cannot be held at all (no string name, tags that are not an object, a name of another
 * kind, past `maxSeries`) gets a detached handle and is counted.
 */
export class PageRegistry extends SeriesHandles<RecordingKinds> {
  constructor(options: PageRegistryOptions = {}) {
    super(RECORDING, options.maxSeries, options.now);
  }

  /**
   * Every series in the `deltas` form — what was recorded since the previous collection —
   * then the registry's own counts (`apptuit.registry.series_refused.count`,
   * `apptuit.registry.invalid_updates.count`, tagged `sdk: "apptuit-js"`) once above zero.
   * Each call moves the delta state: the reporter is its one caller.
   */
  collect(options: { onError?: (error: GaugeCallbackError) => void } = {}): CollectedPoint[] {
    const points: CollectedPoint[] = [];
    const sink: DeltaSink = {
      deltas: true,
      onError: options.onError,
      delta(metric, tags, value, delta) {
        if (Number.isFinite(value)) points.push({ metric, tags, value, delta });
      },
    };
    collectFamilies(sink, this.families.values(), true);
    pushMetaCount(sink, SERIES_REFUSED, this.refused, true);
    pushMetaCount(sink, INVALID_UPDATES, this.invalid, true);
    return points;
  }

  protected get(kind: MetricKind, name: unknown, tags: unknown): RecordingMetric {
    const family = this.families.get(name);
    const found = family !== undefined && family.kind === kind ? family.lookup(tags as Tags | undefined) : undefined;
    return found ?? this.slowLookup(kind, name, tags);
  }

  /** New series, reordered or unusual tag sets, and what cannot be held (a detached handle). */
  private slowLookup(kind: MetricKind, name: unknown, rawTags: unknown): RecordingMetric {
    const family = this.families.get(name);
    if (typeof name !== "string" || name === "" || (family !== undefined && family.kind !== kind)) return this.refuse(kind);
    if (rawTags != null && (typeof rawTags !== "object" || Array.isArray(rawTags))) return this.refuse(kind);
    let tags: Tags;
    try {
      tags = normalizeTags(rawTags as Tags | undefined);
    } catch {
      // A throwing getter among the caller's tags.
      return this.refuse(kind);
    }
    const keys = sortedKeys(tags);
    const found = family?.find(tags, keys);
    if (found !== undefined) return found;
    return this.full() ? this.refuse(kind) : this.create(kind, name, family, tags, keys);
  }
}
