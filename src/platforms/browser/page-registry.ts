import { SDK_TAG } from "../../core/sdk-tag";
import { sortedKeys } from "../../core/tags";
import type { CollectedPoint, Tags } from "../../core/types";
import { defaultNow } from "../../registry/clock";
import { collectDelta, type DeltaSink } from "../../registry/collect-delta";
import { Counter } from "../../registry/counter";
import type { GaugeCallbackError } from "../../registry/errors/gauge-callback-error";
import { addSeries, Family, findSeries } from "../../registry/family";
import { Gauge } from "../../registry/gauge";
import { Histogram } from "../../registry/histogram";
import { InvalidUpdates, rejectUpdate } from "../../registry/invalid-updates";
import type { MetricKind } from "../../registry/kind";
import { INVALID_UPDATES, SERIES_REFUSED } from "../../registry/meta";
import { Meter } from "../../registry/meter";
import { normalizeTags } from "../../registry/normalize";
import { Timer } from "../../registry/timer";

type Metric = Counter | Gauge | Meter | Histogram | Timer;

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
export class PageRegistry {
  readonly maxSeries: number;
  readonly now: () => number;
  private readonly families = new Map<unknown, Family<Metric>>();
  private readonly detached = new Map<MetricKind, Metric>();
  private series = 0;
  private readonly refused = { total: 0, deltaBase: 0 };
  private readonly invalid = new InvalidUpdates();

  constructor(options: PageRegistryOptions = {}) {
    this.maxSeries = options.maxSeries ?? 10_000;
    this.now = options.now ?? defaultNow();
  }

  /** Number of series held. */
  get size(): number {
    return this.series;
  }

  counter(name: string, tags?: Tags): Counter {
    return this.get("counter", name, tags) as Counter;
  }

  /** A gauge: `set(v)` it, or pass a callback read at every collection (replacing an earlier one). */
  gauge(name: string, tagsOrCallback?: Tags | (() => number), callback?: () => number): Gauge {
    const fn = typeof tagsOrCallback === "function" ? tagsOrCallback : callback;
    const gauge = this.get("gauge", name, typeof tagsOrCallback === "function" ? undefined : tagsOrCallback) as Gauge;
    if (fn == null) return gauge;
    if (typeof fn !== "function") rejectUpdate(gauge, fn);
    else if (gauge !== this.detached.get("gauge")) gauge.callback = fn;
    return gauge;
  }

  meter(name: string, tags?: Tags): Meter {
    return this.get("meter", name, tags) as Meter;
  }

  histogram(name: string, tags?: Tags): Histogram {
    return this.get("histogram", name, tags) as Histogram;
  }

  /** A timer of durations in milliseconds. */
  timer(name: string, tags?: Tags): Timer {
    return this.get("timer", name, tags) as Timer;
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
      delta(metric, tags, value, delta) {
        if (Number.isFinite(value)) points.push({ metric, tags, value, delta });
      },
    };
    for (const family of this.families.values()) family.forEach((metric, tags) => collectDelta(sink, family.name, tags, metric, options.onError));
    for (const [name, count] of [[SERIES_REFUSED, this.refused], [INVALID_UPDATES, this.invalid]] as const) {
      if (count.total === 0) continue;
      sink.delta(`${name}.count`, { ...SDK_TAG }, count.total - count.deltaBase, { kind: "sum" });
      count.deltaBase = count.total;
    }
    return points;
  }

  private get(kind: MetricKind, name: unknown, tags: unknown): Metric {
    const family = this.families.get(name);
    const found = family !== undefined && family.kind === kind ? family.lookup(tags as Tags | undefined) : undefined;
    return found ?? this.slowLookup(kind, name, tags);
  }

  /** New series, reordered or unusual tag sets, and what cannot be held (a detached handle). */
  private slowLookup(kind: MetricKind, name: unknown, rawTags: unknown): Metric {
    let family = this.families.get(name);
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
    const found = family === undefined ? undefined : findSeries(family, tags, keys);
    if (found !== undefined) return found;
    if (this.series >= this.maxSeries) return this.refuse(kind);
    if (family === undefined) this.families.set(name, (family = new Family<Metric>(name, kind)));
    const metric = this.make(kind);
    this.series++;
    addSeries(family, tags, keys, metric);
    return metric;
  }

  /** Counted, and one detached handle per kind: its records are never reported. */
  private refuse(kind: MetricKind): Metric {
    this.refused.total++;
    let metric = this.detached.get(kind);
    if (metric === undefined) this.detached.set(kind, (metric = this.make(kind)));
    return metric;
  }

  private make(kind: MetricKind): Metric {
    const invalid = this.invalid;
    switch (kind) {
      case "counter":
        return new Counter(invalid);
      case "gauge":
        return new Gauge(invalid);
      case "meter":
        return new Meter(this.now, invalid);
      case "histogram":
        return new Histogram(invalid);
      case "timer":
        return new Timer(this.now, invalid);
    }
  }
}
