import type { CollectedPoint, Tags } from "../../core/types";
import type { GaugeCallbackError } from "../../registry/errors/gauge-callback-error";
import { SeriesHandles } from "../../registry/handles";
import type { MetricKind } from "../../registry/kind";
import { INVALID_UPDATES, pushMetaCount, SERIES_REFUSED } from "../../registry/meta";
import { Counter } from "../../registry/counter";
import { Gauge } from "../../registry/gauge";
import type { Makers } from "../../registry/kinds";
import { RecordingMeter } from "../../registry/recording-meter";
import { PageHistogram, PageTimer } from "./page-histogram";
import type { DeltaSink } from "../../registry/sink";

export interface PageRegistryOptions {
  /** Most series held, default 10 000; past it a lookup gets a detached handle (counted in `apptuit.registry.series_refused.count`). */
  maxSeries?: number;
  /** Clock in milliseconds (timers); default `performance.timeOrigin + performance.now()`. */
  now?: () => number;
}

/** The handles of a relay-mode page: the full registry's counters, gauges and recording meters; histograms and timers of their own. */
export interface PageKinds {
  counter: Counter;
  gauge: Gauge;
  meter: RecordingMeter;
  histogram: PageHistogram;
  timer: PageTimer;
}

type PageMetric = PageKinds[MetricKind];

const PAGE_KINDS: Makers<PageKinds> = {
  counter: (invalid) => new Counter(invalid),
  gauge: (invalid) => new Gauge(invalid),
  meter: (invalid) => new RecordingMeter(invalid),
  histogram: (invalid) => new PageHistogram(invalid),
  timer: (invalid, now) => new PageTimer(now, invalid),
};

/** A series of a page: its handle, and the tags it is collected with (the same object every time). */
interface PageSeries {
  name: string;
  tags: Tags;
  metric: PageMetric;
}

/**
 * The registry of a relay-mode page (`MetricsRegistry` of `dist/apptuit.iife.js` and
 * `apptuit/browser/relay`): the recording side of the full registry — its counters, gauges
 * and meters, histograms and timers that keep only the interval's mergeable delta
 * (page-histogram.ts) — without its reading side (docs/browser-page-size.md).
 *
 * `collect()` always gives the `deltas` form (one point per series with its kind: what
 * happened since the previous collection), which is all a relay takes; the relay expands
 * it into fields, rates and percentiles. Names and tags are used as given (values turned
 * into strings, `null`/`undefined` values dropped): encoded names are not decoded and
 * nothing is repaired, since the relay checks and sanitizes every series. A lookup that
 * cannot be held at all (no string name, tags that are not an object, a name of another
 * kind, past `maxSeries`) gets a detached handle and is counted.
 *
 * Series are held in one map by a key of the name and sorted tags: a page has few series,
 * so it does without the full registry's trie of tag values (family.ts), which a lookup
 * reads without building a key.
 */
export class PageRegistry extends SeriesHandles<PageKinds> {
  /** Series by `seriesKey`, in the order they were made. */
  private readonly all_ = new Map<string, PageSeries>();
  /** The kind each name was first used with. */
  private readonly kinds_ = new Map<string, MetricKind>();

  constructor(options: PageRegistryOptions = {}) {
    super(PAGE_KINDS, options.maxSeries, options.now);
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
    for (const { name, tags, metric } of this.all_.values()) metric.collect(sink, name, tags, true);
    pushMetaCount(sink, SERIES_REFUSED, this.refused_, true);
    pushMetaCount(sink, INVALID_UPDATES, this.invalid_, true);
    return points;
  }

  protected get(kind: MetricKind, name: unknown, rawTags: unknown): PageMetric {
    const known = this.kinds_.get(name as string);
    if (typeof name !== "string" || name === "" || (known !== undefined && known !== kind)) return this.refuse_(kind);
    if (rawTags != null && (typeof rawTags !== "object" || Array.isArray(rawTags))) return this.refuse_(kind);
    let tags: Tags;
    try {
      // The caller's own keys, null and undefined values dropped, the rest as strings (as the
      // full registry's `normalizeTags`); `fromEntries` keeps a `__proto__` key a tag.
      tags = Object.fromEntries(Object.entries(rawTags ?? {}).flatMap(([k, v]) => (v == null ? [] : [[k, String(v)]])));
    } catch {
      // A throwing getter among the caller's tags.
      return this.refuse_(kind);
    }
    const key = seriesKey(name, tags);
    const found = this.all_.get(key);
    if (found !== undefined) return found.metric;
    if (this.full()) return this.refuse_(kind);
    const metric = this.newSeries_(kind);
    this.kinds_.set(name, kind);
    // Frozen: handed to every collection, so the tags of a series cannot be changed through one.
    this.all_.set(key, { name, tags: Object.freeze(tags), metric });
    return metric;
  }
}

/** One string per name and tag set, whatever the key order: JSON of the name and the sorted entries. */
function seriesKey(name: string, tags: Tags): string {
  const parts = [name];
  for (const k of Object.keys(tags).sort()) parts.push(k, tags[k]!);
  return JSON.stringify(parts);
}
