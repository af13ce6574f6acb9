import type { StoredPoint } from "./types";

/** One series: a metric and a tag set, with samples sorted by time (ms), one value per instant. */
export interface Series {
  metric: string;
  tags: Record<string, string>;
  times: number[];
  values: number[];
}

/**
 * In-memory time-series store. Like OpenTSDB, a second write of the same series at the
 * same instant replaces the value. `log` keeps every accepted row as sent, for tests.
 */
export class Store {
  private readonly series = new Map<string, Series>();
  private readonly byMetric = new Map<string, Series[]>();
  private log: StoredPoint[] = [];

  add(point: StoredPoint, timeMs: number): void {
    const tags = copyTags(point.tags);
    this.log.push({ metric: point.metric, timestamp: point.timestamp, value: point.value, tags: copyTags(tags) });
    const key = seriesKey(point.metric, tags);
    let series = this.series.get(key);
    if (series === undefined) {
      series = { metric: point.metric, tags, times: [], values: [] };
      this.series.set(key, series);
      const list = this.byMetric.get(point.metric);
      if (list === undefined) this.byMetric.set(point.metric, [series]);
      else list.push(series);
    }
    insertSample(series, timeMs, point.value);
  }

  /** Series of one metric (the store's own objects: read, don't mutate). */
  metric(name: string): readonly Series[] {
    return this.byMetric.get(name) ?? [];
  }

  points(): StoredPoint[] {
    return this.log.map((p) => ({ ...p, tags: copyTags(p.tags) }));
  }

  clear(): void {
    this.series.clear();
    this.byMetric.clear();
    this.log = [];
  }
}

/** Own-property copy: Object.fromEntries defines keys, so "__proto__" can never set a prototype. */
export function copyTags(tags: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(tags));
}

export function seriesKey(metric: string, tags: Record<string, string>): string {
  const sorted = Object.keys(tags)
    .sort()
    .map((k) => [k, tags[k]]);
  return JSON.stringify([metric, sorted]);
}

function insertSample(series: Series, time: number, value: number): void {
  const { times, values } = series;
  const last = times.length - 1;
  // Points nearly always arrive in order: append without searching.
  if (last < 0 || times[last]! < time) {
    times.push(time);
    values.push(value);
    return;
  }
  const at = lowerBound(times, time);
  if (times[at] === time) values[at] = value;
  else {
    times.splice(at, 0, time);
    values.splice(at, 0, value);
  }
}

/** First index whose time is >= `time` (times sorted ascending). */
export function lowerBound(times: readonly number[], time: number): number {
  let lo = 0;
  let hi = times.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (times[mid]! < time) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
