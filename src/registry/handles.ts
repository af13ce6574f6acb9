import type { Tags } from "../core/types";
import { defaultNow } from "./clock";
import type { Counter } from "./counter";
import { Family } from "./family";
import type { Gauge } from "./gauge";
import type { Histogram } from "./histogram";
import { InvalidUpdates, rejectUpdate } from "./invalid-updates";
import type { MetricKind } from "./kind";
import type { MetaCount } from "./meta";
import type { Meter } from "./meter";
import { makeMetric } from "./metric";
import type { Metric } from "./metric";
import type { Timer } from "./timer";

/**
 * What the full registry and a page's registry share: the handle methods, the families
 * of series, the `maxSeries` bound with one detached handle per kind, and the counts of
 * refused lookups and ignored updates. How a lookup reads its name and tags is each
 * one's own `get`.
 */
export abstract class SeriesHandles {
  readonly maxSeries: number;
  readonly now: () => number;
  protected readonly families = new Map<unknown, Family<Metric>>();
  /** Handed out past the bound or for what cannot be held: records that are never reported. */
  protected readonly detached = new Map<MetricKind, Metric>();
  protected series = 0;
  /** Lookups given a detached handle. */
  protected readonly refused: MetaCount = { total: 0, deltaBase: 0 };
  /** Shared by every handle of this registry: updates they ignored. */
  protected readonly invalid: InvalidUpdates;

  /** `tellInvalid`: each ignored update also goes to `notifyInvalid`. */
  constructor(maxSeries: number | undefined, now: (() => number) | undefined, tellInvalid = false) {
    this.maxSeries = maxSeries ?? 10_000;
    this.now = now ?? defaultNow();
    this.invalid = new InvalidUpdates(tellInvalid ? (handle, value) => this.notifyInvalid(handle as Metric, value) : undefined);
  }

  /** Number of series held. */
  get size(): number {
    return this.series;
  }

  counter(name: string, tags?: Tags): Counter {
    return this.get("counter", name, tags) as Counter;
  }

  /**
   * A gauge: `set(v)` it, or pass a callback read at every collection. Passing a
   * callback for an existing gauge replaces its callback.
   */
  gauge(name: string, tagsOrCallback?: Tags | (() => number), callback?: () => number): Gauge {
    const fn = typeof tagsOrCallback === "function" ? tagsOrCallback : callback;
    const gauge = this.get("gauge", name, typeof tagsOrCallback === "function" ? undefined : tagsOrCallback) as Gauge;
    if (fn == null) return gauge;
    if (typeof fn !== "function") this.rejectCallback(gauge, fn);
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

  /** Every lookup: whatever it is given, a handle. */
  protected abstract get(kind: MetricKind, name: unknown, tags: unknown): Metric;

  /** The cold branch of an ignored update, when the constructor was told to tell. */
  protected notifyInvalid(_handle: Metric, _value: unknown): void {}

  /** A gauge "callback" that is not a function: ignored and counted like any update that cannot be used. */
  protected rejectCallback(gauge: Gauge, fn: unknown): void {
    rejectUpdate(gauge, fn);
  }

  /** Whether `maxSeries` is reached: a new series gets a detached handle. */
  protected full(): boolean {
    return this.series >= this.maxSeries;
  }

  /** Holds a new series (the caller checked it is new and not past the bound); a new name makes its family. */
  protected create(kind: MetricKind, name: string, family: Family<Metric> | undefined, tags: Tags, keys: string[]): Metric {
    if (family === undefined) this.families.set(name, (family = new Family<Metric>(name, kind)));
    this.series++;
    const metric = makeMetric(kind, this.now, this.invalid);
    family.add(tags, keys, metric);
    return metric;
  }

  /** Counted, and one detached handle per kind: its records are never reported. */
  protected refuse(kind: MetricKind): Metric {
    this.refused.total++;
    let metric = this.detached.get(kind);
    if (metric === undefined) this.detached.set(kind, (metric = makeMetric(kind, this.now, this.invalid)));
    return metric;
  }
}
