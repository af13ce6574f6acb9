import { SDK_TAG } from "../core/sdk-tag";
import type { CollectedPoint, Temporality } from "../core/types";

/** Names of the reporter's own metrics (docs/metrics.md), before the prefix and `.field`. */
export const META = {
  total: "apptuit.reporter.send.total",
  successful: "apptuit.reporter.send.successful",
  failed: "apptuit.reporter.send.failed",
  dropped: "apptuit.reporter.send.dropped",
  time: "apptuit.reporter.send.time",
} as const;

/**
 * What a reporter tells of its own sends, and collects each flush: `MetaMetrics` (the 9
 * field points, for the write API), or a relay page's counters and timer of the page's
 * own kinds (platforms/browser/page-send-stats.ts), which the relay expands into the same
 * names. Durations in milliseconds; the timer's values are seconds.
 */
export interface SendStats {
  recordSend(successful: number, failed: number, durationMs: number | undefined): void;
  recordDropped(points: number): void;
  collect(temporality: Temporality): CollectedPoint[];
}

/** Since creation: points sent, stored, failed and dropped; send calls timed and their seconds. */
interface Totals {
  total: number;
  successful: number;
  failed: number;
  dropped: number;
  timeCount: number;
  timeSum: number;
}

/**
 * The reporter's counters about itself, kept outside the user's registry.
 *
 * - `send.total.count`: points handed to the client's `send` (successful + failed).
 * - `send.successful.count`: points the server stored.
 * - `send.failed.count`: points not stored by an attempt (rejected by the server or
 *   as invalid, or undelivered and buffered for retry — a point retried 3 times counts 3).
 * - `send.dropped.count`: points evicted from the full retry buffer: lost for good.
 * - `send.time.{count,sum,avg,min,max}`: duration of each `send` call, in seconds (as
 *   the Python client's timers). `avg`, `min`, `max` are 0 when there was no call.
 *
 * They follow the reporter's temporality: cumulative totals since the reporter was
 * created, or with `delta` what happened since the previous emission (min/max over
 * that window). Emitted values describe earlier flushes: a flush reports the sends that
 * finished before it started.
 */
export class MetaMetrics implements SendStats {
  private readonly now: Totals = { total: 0, successful: 0, failed: 0, dropped: 0, timeCount: 0, timeSum: 0 };
  private emitted: Totals = { ...this.now };
  private min = Infinity;
  private max = 0;
  private windowMin = Infinity;
  private windowMax = 0;

  recordSend(successful: number, failed: number, durationMs: number | undefined): void {
    this.now.total += successful + failed;
    this.now.successful += successful;
    this.now.failed += failed;
    if (durationMs === undefined) return;
    const seconds = Math.max(0, durationMs) / 1000;
    this.now.timeCount++;
    this.now.timeSum += seconds;
    this.min = Math.min(this.min, seconds);
    this.max = Math.max(this.max, seconds);
    this.windowMin = Math.min(this.windowMin, seconds);
    this.windowMax = Math.max(this.windowMax, seconds);
  }

  recordDropped(points: number): void {
    this.now.dropped += points;
  }

  /**
   * The meta points (unprefixed) for one flush. They carry `sdk: "apptuit-js"` so that
   * they are valid (OpenTSDB wants ≥ 1 tag) even where neither reporter nor global tags
   * exist, as in a page; the reporter's and global tags are merged in as for any point.
   */
  collect(temporality: Temporality): CollectedPoint[] {
    const cur = this.now;
    const base = temporality === "delta" ? this.emitted : { total: 0, successful: 0, failed: 0, dropped: 0, timeCount: 0, timeSum: 0 };
    const count = cur.timeCount - base.timeCount;
    const sum = cur.timeSum - base.timeSum;
    const min = temporality === "delta" ? this.windowMin : this.min;
    const max = temporality === "delta" ? this.windowMax : this.max;
    if (temporality === "delta") {
      this.emitted = { ...cur };
      this.windowMin = Infinity;
      this.windowMax = 0;
    }
    const point = (metric: string, value: number): CollectedPoint => ({ metric, tags: { ...SDK_TAG }, value });
    return [
      point(`${META.total}.count`, cur.total - base.total),
      point(`${META.successful}.count`, cur.successful - base.successful),
      point(`${META.failed}.count`, cur.failed - base.failed),
      point(`${META.dropped}.count`, cur.dropped - base.dropped),
      point(`${META.time}.count`, count),
      point(`${META.time}.sum`, sum),
      point(`${META.time}.avg`, count > 0 ? sum / count : 0),
      point(`${META.time}.min`, count > 0 ? min : 0),
      point(`${META.time}.max`, count > 0 ? max : 0),
    ];
  }
}
