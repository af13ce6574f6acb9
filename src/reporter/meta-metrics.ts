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
  /** Since creation: points sent, stored, failed, dropped; send calls timed, their seconds. */
  private now = [0, 0, 0, 0, 0, 0];
  /** `now` at the previous delta collection. */
  private base = [0, 0, 0, 0, 0, 0];
  /** Shortest and longest send (seconds): since creation, then since the previous delta collection. */
  private range = [Infinity, 0, Infinity, 0];

  recordSend(successful: number, failed: number, durationMs: number | undefined): void {
    const now = this.now;
    now[0]! += successful + failed;
    now[1]! += successful;
    now[2]! += failed;
    if (durationMs === undefined) return;
    const seconds = Math.max(0, durationMs) / 1000;
    now[4]!++;
    now[5]! += seconds;
    const r = this.range;
    r[0] = Math.min(r[0]!, seconds);
    r[1] = Math.max(r[1]!, seconds);
    r[2] = Math.min(r[2]!, seconds);
    r[3] = Math.max(r[3]!, seconds);
  }

  recordDropped(points: number): void {
    this.now[3]! += points;
  }

  /**
   * The meta points (unprefixed) for one flush. They carry `sdk: "apptuit-js"` so that
   * they are valid (OpenTSDB wants ≥ 1 tag) even where neither reporter nor global tags
   * exist, as in a page; the reporter's and global tags are merged in as for any point.
   */
  collect(temporality: Temporality): CollectedPoint[] {
    const delta = temporality === "delta";
    const [total, successful, failed, dropped, count, sum] = this.now.map((v, i) => (delta ? v - this.base[i]! : v)) as number[];
    const [min, max] = delta ? this.range.slice(2) : this.range;
    if (delta) {
      this.base = [...this.now];
      this.range = [this.range[0]!, this.range[1]!, Infinity, 0];
    }
    const points: [string, number][] = [
      [`${META.total}.count`, total!],
      [`${META.successful}.count`, successful!],
      [`${META.failed}.count`, failed!],
      [`${META.dropped}.count`, dropped!],
      [`${META.time}.count`, count!],
      [`${META.time}.sum`, sum!],
      [`${META.time}.avg`, count! > 0 ? sum! / count! : 0],
      [`${META.time}.min`, count! > 0 ? min! : 0],
      [`${META.time}.max`, count! > 0 ? max! : 0],
    ];
    return points.map(([metric, value]) => ({ metric, tags: { ...SDK_TAG }, value }));
  }
}
