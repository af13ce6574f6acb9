import type { DeltaKind, DistributionDelta } from "../../core/series-delta";
import type { CollectedPoint, Tags } from "../../core/types";
import { PointSink } from "../../registry/fields";
import { Sketch } from "../../registry/sketch";
import { distributionDelta, mergeDelta } from "../../registry/sketch-delta";
import type { DeltaRow } from "../compact-v2";
import type { WindowRates } from "./window-rates";

/**
 * Everything every writer sent for one series in one window, merged: counts added,
 * gauge readings averaged, distributions merged (exact moments, sketch buckets added).
 * `fields` turns it into the series' points with the registry's own field rules, so a
 * page's p99 through the relay is computed exactly as a registry would over all values.
 */
export class SeriesState {
  /** Sum of counts (sum, meter, histogram, timer) or of readings (mean). */
  total = 0;
  /** Readings received (mean). */
  readings = 0;
  readonly sketch: Sketch | undefined;

  constructor(
    readonly kind: DeltaKind,
    readonly metric: string,
    readonly tags: Tags,
  ) {
    this.sketch = kind === "histogram" || kind === "timer" ? new Sketch() : undefined;
  }

  /**
   * The state as plain JSON-safe data, for durable storage: the merged sketch as one
   * writer's delta, which `fromStored` merges back into an empty state, so nothing is kept
   * twice and the round trip loses nothing the fields are computed from.
   */
  toStored(): StoredSeries {
    const stored: StoredSeries = { kind: this.kind, metric: this.metric, tags: this.tags, total: this.total, readings: this.readings };
    if (this.sketch !== undefined && this.sketch.count > 0) {
      const { kind: _, ...dist } = distributionDelta("histogram", this.sketch);
      stored.dist = dist;
    }
    return stored;
  }

  static fromStored(stored: StoredSeries): SeriesState {
    const state = new SeriesState(stored.kind, stored.metric, stored.tags);
    state.total = stored.total;
    state.readings = stored.readings;
    if (state.sketch !== undefined && stored.dist !== undefined) mergeDelta(state.sketch, stored.total, stored.dist);
    return state;
  }

  merge(row: DeltaRow): void {
    this.total += row.value;
    this.readings++;
    if (this.sketch !== undefined && row.dist !== undefined) mergeDelta(this.sketch, row.value, row.dist);
  }

  /**
   * The series' points (Dropwizard-style fields, unsanitized names). Meters get `mean_rate` and
   * the moving rates only over a window (`windowSeconds`, `rates`), not when passed through.
   */
  fields(windowSeconds?: number, rates?: WindowRates): CollectedPoint[] {
    const sink = new PointSink();
    const { metric: name, tags } = this;
    switch (this.kind) {
      case "sum":
        sink.points.push({ metric: name, tags, value: this.total });
        break;
      case "mean":
        sink.points.push({ metric: name, tags, value: this.total / this.readings });
        break;
      case "meter":
        meterFields(sink, name, tags, this.total, windowSeconds, rates);
        break;
      case "histogram":
        sink.histogram(name, tags, this.sketch!, true);
        break;
      case "timer":
        meterFields(sink, name, tags, this.sketch!.count, windowSeconds, rates);
        sink.histogram(name, tags, this.sketch!, false);
        sink.push(name, "sum", tags, this.sketch!.sum);
        break;
    }
    return sink.points;
  }
}

/** A `SeriesState` as stored (see `toStored`). */
export interface StoredSeries {
  kind: DeltaKind;
  metric: string;
  tags: Tags;
  total: number;
  readings: number;
  dist?: DistributionDelta;
}

function meterFields(sink: PointSink, name: string, tags: Tags, count: number, windowSeconds?: number, rates?: WindowRates): void {
  sink.push(name, "count", tags, count);
  if (windowSeconds === undefined || rates === undefined) return;
  sink.push(name, "mean_rate", tags, count / windowSeconds);
  sink.push(name, "1m_rate", tags, rates.m1);
  sink.push(name, "5m_rate", tags, rates.m5);
  sink.push(name, "15m_rate", tags, rates.m15);
}

/** Points written per series of a kind (for the expansion bound). */
export function fieldsPerKind(kind: DeltaKind): number {
  return kind === "histogram" ? 10 : kind === "timer" ? 16 : kind === "meter" ? 5 : 1;
}
