import type { Tags } from "../core/types";
import { defaultNow } from "./clock";
import type { Gauge } from "./gauge";
import { InvalidUpdates, rejectUpdate } from "./invalid-updates";
import type { MetricKind } from "./kind";
import type { HandleKinds, Makers } from "./kinds";
import type { MetaCount } from "./meta";

/**
 * What the full registry and a page's registry share: the handle methods, the `maxSeries`
 * bound with one detached handle per kind, and the counts of refused lookups and ignored
 * updates. How a lookup reads its name and tags, and how series are held, is each one's
 * own (`get`).
 */
export abstract class SeriesHandles<K extends HandleKinds, M extends K[MetricKind] = K[MetricKind]> {
  readonly maxSeries: number;
  readonly now: () => number;
  /** Handed out past the bound or for what cannot be held: records that are never reported. */
  protected readonly detached_: { [kind in MetricKind]?: M } = {};
  protected series_ = 0;
  /** Lookups given a detached handle. */
  protected readonly refused_: MetaCount = { total: 0, base_: 0 };
  /** Shared by every handle of this registry: updates they ignored. */
  protected readonly invalid_: InvalidUpdates;

  /** `make`: the handles of this registry; each ignored update also goes to `notifyInvalid`. */
  constructor(
    private readonly make_: Makers<K>,
    maxSeries: number | undefined,
    now: (() => number) | undefined,
  ) {
    this.maxSeries = maxSeries ?? 10_000;
    this.now = now ?? defaultNow();
    this.invalid_ = new InvalidUpdates((handle, value) => this.notifyInvalid_(handle as M, value));
  }

  /** Number of series held. */
  get size(): number {
    return this.series_;
  }

  counter(name: string, tags?: Tags): K["counter"] {
    return this.get("counter", name, tags) as K["counter"];
  }

  /**
   * A gauge: `set(v)` it, or pass a callback read at every collection. Passing a
   * callback for an existing gauge replaces its callback.
   */
  gauge(name: string, tagsOrCallback?: Tags | (() => number), callback?: () => number): K["gauge"] {
    const fn = typeof tagsOrCallback === "function" ? tagsOrCallback : callback;
    const gauge = this.get("gauge", name, typeof tagsOrCallback === "function" ? undefined : tagsOrCallback) as Gauge;
    if (fn == null) return gauge;
    if (typeof fn !== "function") this.rejectCallback_(gauge, fn);
    else if (gauge !== this.detached_.gauge) gauge.fn_ = fn;
    return gauge;
  }

  meter(name: string, tags?: Tags): K["meter"] {
    return this.get("meter", name, tags) as K["meter"];
  }

  histogram(name: string, tags?: Tags): K["histogram"] {
    return this.get("histogram", name, tags) as K["histogram"];
  }

  /** A timer of durations in milliseconds. */
  timer(name: string, tags?: Tags): K["timer"] {
    return this.get("timer", name, tags) as K["timer"];
  }

  /** Every lookup: whatever it is given, a handle. */
  protected abstract get(kind: MetricKind, name: unknown, tags: unknown): M;

  /** The cold branch of an ignored update: nothing more to do but in a registry that names it. */
  protected notifyInvalid_(_handle: M, _value: unknown): void {}

  /** A gauge "callback" that is not a function: ignored and counted like any update that cannot be used. */
  protected rejectCallback_(gauge: Gauge, fn: unknown): void {
    rejectUpdate(gauge, fn);
  }

  /** Whether `maxSeries` is reached: a new series gets a detached handle. */
  protected full(): boolean {
    return this.series_ >= this.maxSeries;
  }

  /** A new series' handle (the caller checked it is new and not past the bound), counted. */
  protected newSeries_(kind: MetricKind): M {
    this.series_++;
    return this.make_[kind](this.invalid_, this.now) as M;
  }

  /** Counted, and one detached handle per kind: its records are never reported. */
  protected refuse_(kind: MetricKind): M {
    this.refused_.total++;
    return (this.detached_[kind] ??= this.make_[kind](this.invalid_, this.now) as M);
  }
}
