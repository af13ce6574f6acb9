import { ApptuitValidationError } from "../core/errors/validation-error";
import type { Collectable, CollectedPoint, CollectForm, Tags, Temporality } from "../core/types";
import { collectFamilies } from "./collect";
import type { GaugeCallbackError } from "./errors/gauge-callback-error";
import { MetricKindError } from "./errors/metric-kind-error";
import { PointSink } from "./fields";
import type { Gauge } from "./gauge";
import { Family } from "./family";
import { SeriesHandles } from "./handles";
import { identify } from "./identify";
import type { SeriesIdentity } from "./identify";
import type { MetricKind } from "./kind";
import { INVALID_UPDATES, pushMetaCount, SERIES_REFUSED, SERIES_REPAIRED } from "./meta";
import { FULL, type FullKinds, type Metric } from "./metric";
import { readSeries } from "./read-series";
import type { SeriesInput } from "./read-series";

export interface MetricsRegistryOptions {
  /**
   * Most series (name + tag set) the registry holds, default 10 000. Past it a new
   * series gets a detached handle whose records are never reported, and the refusal is
   * counted in `apptuit.registry.series_refused.count`.
   */
  maxSeries?: number;
  /** Clock in milliseconds; default `performance.timeOrigin + performance.now()`. */
  now?: () => number;
  /**
   * For debugging: told of every update a handle ignored because its value is not a
   * finite number (`inc(NaN)`, `mark("3")`, `update(Infinity)`, `set(NaN)`), with the
   * series' name and tags as `collect` reports them (a handle refused by `maxSeries` is
   * named `apptuit.registry.series_refused`, tags `{}`). Called synchronously inside the
   * update; what it throws is swallowed. Ignored updates are always counted in
   * `apptuit.registry.invalid_updates.count`, with or without it; default none.
   */
  onInvalidUpdate?: (metric: string, tags: Tags, value: unknown) => void;
  /**
   * For debugging: told of every lookup whose name or tags had to be repaired (an empty
   * tag value, an over-long value, a number as the name…) or were refused (no name, tags
   * that are not an object, a name already used by another kind, past `maxSeries`…).
   * Called synchronously inside the lookup; what it throws is swallowed. Both are always
   * counted, in `apptuit.registry.series_repaired.count` and
   * `apptuit.registry.series_refused.count`; default none. See docs/recording.md.
   */
  onInvalidSeries?: (event: InvalidSeriesEvent) => void;
  /**
   * For development and tests: lookups throw `ApptuitValidationError` (or
   * `MetricKindError`) for anything they would otherwise repair or refuse, so a mistake
   * surfaces where it is made. Default `false`: recording never throws.
   */
  strict?: boolean;
}

/** What `onInvalidSeries` is told. */
export interface InvalidSeriesEvent {
  /** `repaired`: recorded as `series`; `refused`: the handle returned records nothing. */
  action: "repaired" | "refused";
  kind: MetricKind;
  /** The name and tags the lookup was given. */
  name: unknown;
  tags: unknown;
  /** The series recorded to, when repaired. */
  series?: { name: string; tags: Tags };
  /** Each repair, or the reason of the refusal, in words. */
  reasons: string[];
}

export interface CollectOptions {
  /** Milliseconds on the registry's clock (meters tick to it); default `now()`. */
  now?: number;
  /** Default `"cumulative"`. */
  temporality?: Temporality;
  /**
   * Default `"fields"`. `"deltas"` (implies delta temporality): one point per series with
   * its kind and mergeable interval — counts, gauge readings, histogram moments and sketch
   * buckets — for a relay that aggregates many writers (docs/compact-format.md).
   */
  form?: CollectForm;
  /**
   * Told of each callback gauge that threw or returned a non-finite value
   * (`GaugeCallbackError`); its point is left out, the rest is collected. The reporter
   * passes its error handler here.
   */
  onError?: (error: GaugeCallbackError) => void;
}

/**
 * Holds the application's metrics and turns them into points (docs/metrics.md).
 *
 * `registry.counter(name, tags)` returns the same handle for the same name and tags in
 * any key order; `name` may also be a Python-style encoded name (`name{"k": "v"}`), and
 * is a plain name when the part from its first `{` is not a JSON object of tags.
 * Lookups never throw unless `strict`: invalid input is repaired or gets a detached
 * handle (docs/recording.md). Handles are meant to be kept; the lookup itself allocates
 * at most one short string.
 */
export class MetricsRegistry extends SeriesHandles<FullKinds> implements Collectable {
  /** Encoded-name lookups already resolved, per kind (a hit skips JSON parsing). */
  /** Every series, by name: the hot lookup's trie (family.ts). */
  private readonly families = new Map<unknown, Family<Metric>>();
  private readonly encoded = new Map<MetricKind, Map<string, Metric>>();
  private readonly onInvalidUpdate: MetricsRegistryOptions["onInvalidUpdate"];
  /** Series of the handles that reported an ignored update, once looked up. */
  private identities: WeakMap<Metric, SeriesIdentity> | undefined;
  private notifying = false;
  /** Lookups whose name or tags were repaired. */
  private readonly repaired = { total: 0, base_: 0 };
  private readonly onInvalidSeries: MetricsRegistryOptions["onInvalidSeries"];
  readonly strict: boolean;

  constructor(options: MetricsRegistryOptions = {}) {
    super(FULL, options.maxSeries, options.now);
    this.onInvalidUpdate = options.onInvalidUpdate;
    this.onInvalidSeries = options.onInvalidSeries;
    this.strict = options.strict === true;
  }

  /** Strict mode throws for a gauge "callback" that is not a function. */
  protected override rejectCallback_(gauge: Gauge, fn: unknown): void {
    if (this.strict) throw new TypeError(`gauge callback must be a function, not a ${typeof fn}`);
    super.rejectCallback_(gauge, fn);
  }

  /**
   * Every series as points named `name + "." + field`, unprefixed and unsanitized.
   *
   * `cumulative`: Dropwizard's totals since creation. `delta`: what was recorded since the
   * previous *delta* collection — counter and meter counts, histogram and timer
   * statistics of that interval; gauges and rates as they are now. The two are
   * independent: cumulative collections never reset anything, so both can be used.
   *
   * The registry's own counts follow, tagged `sdk: "apptuit-js"` (a point needs a tag),
   * once above zero: `apptuit.registry.series_repaired.count` (lookups whose name or tags
   * were repaired), `apptuit.registry.series_refused.count` (lookups given a detached
   * handle: past `maxSeries` or invalid beyond repair) and
   * `apptuit.registry.invalid_updates.count` (updates ignored as not finite numbers).
   */
  collect(options: CollectOptions = {}): CollectedPoint[] {
    const now = options.now ?? this.now();
    const deltas = options.form === "deltas";
    const delta = deltas || options.temporality === "delta";
    const sink = new PointSink(deltas, now, options.onError);
    collectFamilies(sink, this.families.values(), delta);
    pushMetaCount(sink, SERIES_REPAIRED, this.repaired, delta);
    pushMetaCount(sink, SERIES_REFUSED, this.refused_, delta);
    pushMetaCount(sink, INVALID_UPDATES, this.invalid_, delta);
    return sink.points;
  }

  /**
   * Every lookup: whatever it is given, a handle (docs/recording.md). What cannot be
   * recorded gets a detached handle, counted and told to `onInvalidSeries`; strict mode
   * throws instead.
   */
  protected get(kind: MetricKind, name: unknown, tags: unknown): Metric {
    try {
      return this.lookup(kind, name as string, tags as Tags | undefined);
    } catch (error) {
      if (this.strict) throw error;
      return this.refuseInvalid(kind, name, tags, error);
    }
  }

  /** The hot lookup: one `Map.get` for the name and one per tag; nothing allocated. */
  private lookup(kind: MetricKind, name: string, tags: Tags | undefined): Metric {
    const family = this.families.get(name);
    const found = family !== undefined && family.kind === kind ? family.lookup(tags) : undefined;
    return found ?? this.slowLookup(kind, name, tags);
  }

  /** Encoded names, reordered, unusual or invalid tag sets, and new series. */
  private slowLookup(kind: MetricKind, name: unknown, tags: unknown): Metric {
    // An encoded name: remember what it resolved to, so that only its first use parses JSON.
    const cache = tags == null && typeof name === "string" && name.includes("{") ? this.encodedCache(kind) : undefined;
    const hit = cache?.get(name as string);
    if (hit !== undefined) return hit;
    const series = readSeries(name, tags, this.strict);
    const metric = this.resolve(kind, series);
    // One outcome per lookup: a repaired series refused by the bound counts as refused.
    if (metric === this.detached_[kind]) return metric;
    if (series.repairs !== undefined) this.repair(kind, name, tags, series, series.repairs);
    else if (cache !== undefined && cache.size < this.maxSeries) cache.set(name as string, metric);
    return metric;
  }

  private resolve(kind: MetricKind, series: SeriesInput): Metric {
    const { name, tags, keys } = series;
    const family = this.families.get(name);
    if (family !== undefined && family.kind !== kind) throw new MetricKindError(name, family.kind, kind);
    const found = family?.find(tags, keys);
    if (found !== undefined) return found;
    if (this.full()) {
      this.tell({ action: "refused", kind, name, tags, reasons: [`more than maxSeries (${this.maxSeries}) series`] });
      return this.refuse_(kind);
    }
    return this.create(kind, name, family, tags, keys);
  }

  /** Holds a new series (the caller checked it is new and not past the bound); a new name makes its family. */
  private create(kind: MetricKind, name: string, family: Family<Metric> | undefined, tags: Tags, keys: string[]): Metric {
    if (family === undefined) this.families.set(name, (family = new Family<Metric>(name, kind)));
    const metric = this.newSeries_(kind);
    family.add(tags, keys, metric);
    return metric;
  }

  /** A lookup recorded to a repaired series: count it, tell it. */
  private repair(kind: MetricKind, name: unknown, tags: unknown, series: SeriesInput, reasons: string[]): void {
    this.repaired.total++;
    this.tell({ action: "repaired", kind, name, tags, series: { name: series.name, tags: { ...series.tags } }, reasons });
  }

  /** A lookup that threw (invalid beyond repair, another kind's name, a throwing getter): a detached handle. */
  private refuseInvalid(kind: MetricKind, name: unknown, tags: unknown, error: unknown): Metric {
    this.tell({ action: "refused", kind, name, tags, reasons: [reasonOf(error)] });
    return this.refuse_(kind);
  }

  private tell(event: InvalidSeriesEvent): void {
    if (this.onInvalidSeries === undefined || this.notifying) return;
    this.notifying = true;
    try {
      this.onInvalidSeries(event);
    } catch {
      // A debugging aid must not break the instrumented code.
    } finally {
      this.notifying = false;
    }
  }

  private encodedCache(kind: MetricKind): Map<string, Metric> {
    let cache = this.encoded.get(kind);
    if (cache === undefined) this.encoded.set(kind, (cache = new Map()));
    return cache;
  }

  /** The cold branch of an ignored update, with `onInvalidUpdate` set: name the series. */
  protected override notifyInvalid_(handle: Metric, value: unknown): void {
    // A bad update made by the callback itself is counted, not reported back into it.
    if (this.onInvalidUpdate === undefined || this.notifying) return;
    const identities = (this.identities ??= new WeakMap());
    let id = identities.get(handle);
    if (id === undefined) identities.set(handle, (id = identify(this.families.values(), handle)));
    this.notifying = true;
    try {
      this.onInvalidUpdate!(id.name, { ...id.tags }, value);
    } catch {
      // A debugging aid must not break the instrumented code that made the bad update.
    } finally {
      this.notifying = false;
    }
  }
}

/** Why a lookup threw, in words, whatever was thrown. */
function reasonOf(error: unknown): string {
  if (error instanceof ApptuitValidationError) return error.rule;
  try {
    return error instanceof Error ? `${error.name}: ${error.message}` : `threw ${String(error)}`;
  } catch {
    return "threw a value that cannot be shown";
  }
}
