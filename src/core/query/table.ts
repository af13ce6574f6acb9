import type { Tags } from "../types";
import { sortedKeys } from "../tags";
import type { TimeSeries } from "./result";

export interface TableColumn {
  /** `metric{k:v, k2:v2}` with sorted keys (the Python client's DataFrame column name); bare `metric` without tags. */
  name: string;
  metric: string;
  tags: Tags;
  /** One value per table timestamp; `null` where the series has no point (a series' own NaN stays NaN). */
  values: (number | null)[];
}

export interface Table {
  /** Sorted, distinct Unix epoch seconds shared by every column. */
  timestamps: number[];
  columns: TableColumn[];
  /** `[timestamps, ...values]`: the data argument of `new uPlot(opts, data)`. */
  toUPlot(): [number[], ...(number | null)[][]];
  /** Row objects `{ timestamp, [column name]: value }` (Observable Plot, Chart.js datasets). */
  rows(): Record<string, number | null>[];
}

/**
 * Column label as the Python client named DataFrame columns: `metric{k:v, k2:v2}`,
 * keys sorted, `:` without a space, `, ` between pairs.
 */
export function seriesLabel(metric: string, tags: Tags): string {
  const keys = sortedKeys(tags);
  return keys.length === 0 ? metric : `${metric}{${keys.map((k) => `${k}:${tags[k]}`).join(", ")}}`;
}

/** Outer join of series on their timestamps: the JS counterpart of the Python client's `to_df()`. */
export function toTable(series: readonly TimeSeries[]): Table {
  const all = new Set<number>();
  for (const s of series) for (const t of s.timestamps) all.add(t);
  const timestamps = [...all].sort((a, b) => a - b);
  const row = new Map<number, number>();
  timestamps.forEach((t, i) => row.set(t, i));
  const columns: TableColumn[] = series.map((s) => {
    const values: (number | null)[] = new Array<number | null>(timestamps.length).fill(null);
    s.timestamps.forEach((t, i) => {
      values[row.get(t)!] = s.values[i]!;
    });
    return { name: seriesLabel(s.metric, s.tags), metric: s.metric, tags: s.tags, values };
  });
  return {
    timestamps,
    columns,
    toUPlot: () => [timestamps, ...columns.map((c) => c.values)],
    rows: () =>
      timestamps.map((timestamp, i) => {
        const r: Record<string, number | null> = { timestamp };
        for (const c of columns) {
          if (c.name === "__proto__")
            Object.defineProperty(r, c.name, { value: c.values[i]!, enumerable: true, writable: true, configurable: true });
          else r[c.name] = c.values[i]!;
        }
        return r;
      }),
  };
}
