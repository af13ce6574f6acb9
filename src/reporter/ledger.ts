import type { CollectedPoint, Temporality } from "../core/types";
import type { WirePoint } from "../core/wire";
import type { DrainedPoints } from "./drained";
import { ApptuitDroppedError } from "./dropped-error";
import type { ReporterErrorHandler } from "./error-handler";
import type { FlushResult, ReporterStats } from "./flush-result";
import { MetaMetrics } from "./meta-metrics";
import { RetryBuffer, type RetryBufferLimits } from "./retry-buffer";
import { outcomeShares } from "./send-outcome";
import { MAX_REASONS, type SendOutcome } from "../core/outcome";

/**
 * The reporter's books (internal to `ReporterCore`). Every point a flush or a drain
 * produces is counted here as recorded and in flight, then settled exactly once:
 * delivered, rejected (reported to the error handler), buffered for retry, or dropped
 * (evicted from the full retry buffer; counted and reported). So at every moment
 * `recorded === delivered + rejected + dropped + buffered + inFlight`.
 *
 * It also keeps the meta metrics in step with the books and is the one place that
 * calls the error handler. Each settlement updates both the running totals and the
 * `FlushResult` of the flush (or drain) that owns the points.
 */
export class DeliveryLedger {
  private readonly buffer: RetryBuffer;
  private readonly meta = new MetaMetrics();
  private readonly totals = { recorded: 0, delivered: 0, rejected: 0, dropped: 0, inFlight: 0, flushes: 0 };

  constructor(
    retryBuffer: RetryBufferLimits | undefined,
    private readonly onError: ReporterErrorHandler | null,
  ) {
    this.buffer = new RetryBuffer(retryBuffer);
  }

  /** Points taken out and not settled yet. */
  get inFlight(): number {
    return this.totals.inFlight;
  }

  /** Running totals; `recorded === delivered + rejected + dropped + buffered + inFlight`. */
  stats(): ReporterStats {
    return { ...this.totals, buffered: this.buffer.size };
  }

  /** The meta points for one flush (unprefixed): what the books saw since the last ones. */
  collectMeta(temporality: Temporality): CollectedPoint[] {
    return this.meta.collect(temporality);
  }

  /** `count` points were just collected: recorded, and in flight until settled. */
  collected(count: number, result: FlushResult): void {
    result.recorded += count;
    this.totals.recorded += count;
    this.totals.inFlight += count;
  }

  /** The retry buffer's points (oldest first: what failed before goes out first), then `points`. */
  withRetried(points: WirePoint[], result: FlushResult): WirePoint[] {
    const retried = this.buffer.takeAll();
    result.retried = retried.length;
    this.totals.inFlight += retried.length;
    return retried.length === 0 ? points : retried.concat(points);
  }

  /** A flush ended (whatever happened in it). */
  flushed(result: FlushResult): void {
    this.totals.flushes++;
    result.buffered = this.buffer.size;
  }

  /** `count` points could not be prepared: rejected, with one error each (or one for the rest). */
  invalid(count: number, errors: unknown[], result: FlushResult): void {
    this.meta.recordSend(0, count, undefined);
    this.reject(count, result);
    this.report(result, undefined, 0, count, errors);
  }

  /** `count` points in flight are given up after an unexpected `error` (a bug, here or in a custom sender or preparer). */
  lost(count: number, error: unknown, result: FlushResult): void {
    this.reject(count, result);
    this.report(result, undefined, 0, count, [error]);
  }

  /**
   * Settles a delivery by what the sender said became of it: stored → delivered; rejected →
   * rejected and reported with the server's reasons; undelivered → the retry buffer when
   * worth retrying, else rejected. Counts are clamped to the points given, and points the
   * outcome does not account for are rejected and reported, never counted as delivered.
   */
  settle(points: WirePoint[], outcome: SendOutcome, durationMs: number, result: FlushResult): void {
    const count = points.length;
    const { stored, rejected, unaccounted, undelivered, retryable: retry } = outcomeShares(outcome, count);
    this.meta.recordSend(stored, count - stored, durationMs);
    this.deliver(stored, result);
    if (rejected > 0) {
      this.reject(rejected, result);
      const reasons = outcome.reasons.length > 0 ? outcome.reasons : [outcome.failure?.error ?? new Error(`${rejected} point(s) rejected`)];
      this.report(result, outcome.rejectedStatus, stored, rejected, reasons);
    }
    if (unaccounted > 0) {
      this.reject(unaccounted, result);
      this.report(result, undefined, stored, unaccounted, [new Error(`the sender did not say what became of ${unaccounted} point(s)`)]);
    }
    if (undelivered.length === 0) return;
    const error = outcome.failure?.error ?? new Error(`${undelivered.length} point(s) not sent`);
    const status = (error as { statusCode?: unknown } | null)?.statusCode;
    this.report(result, typeof status === "number" ? status : undefined, stored, undelivered.length, [error]);
    if (!retry) {
      // Sending them again cannot succeed (e.g. a refused token): give them up, and say so.
      this.reject(undelivered.length, result);
      return;
    }
    this.toBuffer(undelivered, result);
  }

  /** Hands `points` (taken by a drain, in flight) to their caller, who settles them through it. */
  drained(points: WirePoint[], result: FlushResult): DrainedPoints {
    return {
      points,
      delivered: (count) => {
        this.meta.recordSend(count, 0, undefined);
        this.deliver(count, result);
      },
      retry: (retried) => {
        this.meta.recordSend(0, retried.length, undefined);
        this.toBuffer(retried, result);
      },
      rejected: (count, error) => {
        this.meta.recordSend(0, count, undefined);
        this.reject(count, result);
        this.report(result, undefined, 0, count, [error]);
      },
    };
  }

  private deliver(count: number, result: FlushResult): void {
    this.totals.delivered += count;
    this.totals.inFlight -= count;
    result.delivered += count;
  }

  private reject(count: number, result: FlushResult): void {
    this.totals.rejected += count;
    this.totals.inFlight -= count;
    result.rejected += count;
  }

  /** Points in flight wait in the retry buffer; any it evicts are counted and reported as dropped. */
  toBuffer(points: WirePoint[], result: FlushResult): void {
    this.totals.inFlight -= points.length;
    const evicted = this.buffer.push(points);
    if (evicted === 0) return;
    this.totals.dropped += evicted;
    result.dropped += evicted;
    this.meta.recordDropped(evicted);
    this.report(result, undefined, 0, evicted, [
      new ApptuitDroppedError(evicted, { maxPoints: this.buffer.maxPoints, maxBytes: this.buffer.maxBytes }),
    ]);
  }

  /** Marks the flush failed, keeps `errors` in its result and passes them to the error handler. */
  report(result: FlushResult, statusCode: number | undefined, successful: number, failed: number, errors: unknown[]): void {
    result.ok = false;
    // A loop, not push(...errors): a custom sender may pass more rows than a call's arguments hold.
    for (let i = 0; i < errors.length && result.errors.length < MAX_FLUSH_ERRORS; i++) result.errors.push(errors[i]);
    if (this.onError === null) return;
    try {
      this.onError(statusCode, successful, failed, errors);
    } catch {
      // A throwing error handler must not break the flush.
    }
  }
}

/** Errors kept in one `FlushResult` (the error handler still gets every call's own). */
const MAX_FLUSH_ERRORS = MAX_REASONS;
