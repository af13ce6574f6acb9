import type { Tags } from "../core/types";
import type { PointSink } from "./fields";
import { rejectUpdate } from "./invalid-updates";
import { RunningCount } from "./running-count";
import type { MetricSink } from "./sink";

/**
 * The recording side of a meter: counts events. A relay-mode page's meters are these (the
 * relay derives the rates); `Meter` adds the rates.
 */
export class RecordingMeter extends RunningCount {
  /**
   * Marks `n` events. Non-numbers, NaN and ±Infinity are ignored (they would poison count
   * and rates for good) and counted in `apptuit.registry.invalid_updates.count`.
   */
  mark(n = 1): void {
    if (typeof n === "number" && n - n === 0) this.total += n;
    else rejectUpdate(this, n);
  }

  /**
   * @internal writes the series: the count (what was marked since the previous delta
   * collection, with `delta`), with its kind in the `deltas` form.
   */
  collect(sink: MetricSink, name: string, tags: Tags, delta: boolean): void {
    const count = this.take_(delta);
    if (sink.deltas) sink.delta(name, tags, count, { kind: "meter" });
    else this.fields(sink, name, tags, count);
  }

  /** @internal the `fields` form, which only the full registry collects. */
  protected fields(sink: PointSink, name: string, tags: Tags, count: number): void {
    sink.push(name, "count", tags, count);
  }
}
