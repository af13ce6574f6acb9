import type { Collectable, DataPoint, Tags } from "../../core/types";
import type { WirePoint } from "../../core/wire";
import type { SendOutcome } from "../../core/outcome";
import type { DrainedPoints } from "../../reporter/drained";
import { ApptuitDroppedError } from "../../reporter/dropped-error";
import type { ReporterErrorHandler } from "../../reporter/error-handler";
import { emptyFlushResult, type FlushResult, type ReporterStats } from "../../reporter/flush-result";
import { MetaMetrics } from "../../reporter/meta-metrics";
import type { ReporterSender } from "../../reporter/options";
import { prepareValid } from "../../reporter/prepare-valid";
import { RetryBuffer, type RetryBufferLimits } from "../../reporter/retry-buffer";

export interface PageReporterOptions {
  registry: Collectable;
  /** Prepares and sends (the relay sender): `deliver` says what became of every point. */
  sender: Pick<ReporterSender, "prepare"> & { deliver(points: WirePoint[]): Promise<SendOutcome> };
  interval: number;
  prefix?: string;
  tags?: Tags;
  retryBuffer?: RetryBufferLimits;
  /** Default: one line on `console.warn`; `null` silences. */
  onError?: ReporterErrorHandler | null;
  /** Points prepared between two `yield` calls. */
  sliceSize: number;
  yield: () => PromiseLike<void> | void;
}

/** What a page's `init()` hands back as `reporter`: the running reporter of either mode. */
export interface PageReporterApi {
  start(): unknown;
  stop(): Promise<FlushResult>;
  flush(): Promise<FlushResult>;
  stats(): ReporterStats;
}

/**
 * The reporter of a relay-mode page (docs/browser-page-size.md): the general reporter's
 * guarantees with only what a page sending deltas to one relay needs. Every interval it
 * collects the registry's deltas (the `deltas` form, stamped later than the previous
 * flush), prepares them a slice at a time, and hands them with the retry buffer's points
 * to the relay sender in one call; the sender's outcome settles each point once —
 * delivered, rejected (reported), or back in the bounded retry buffer (evictions dropped
 * and reported). So `recorded === delivered + rejected + dropped + buffered + inFlight`,
 * as `stats()` says. Flushes never overlap and never throw; `drain()` serves the
 * page-hide flush (urgent-flush.ts) as the general reporter's does.
 */
export class PageReporter implements PageReporterApi {
  private readonly buffer: RetryBuffer;
  private readonly meta = new MetaMetrics();
  private readonly totals = { recorded: 0, delivered: 0, rejected: 0, dropped: 0, inFlight: 0, flushes: 0 };
  private readonly onError: ReporterErrorHandler | null;
  private timer: ReturnType<typeof setInterval> | undefined;
  private running = false;
  private tail: Promise<unknown> = Promise.resolve();
  private queued: Promise<FlushResult> | undefined;
  private lastStampMs = -Infinity;
  /** The points of a flush still being prepared: a `drain()` meanwhile takes them over. */
  private preparing: { fresh: DataPoint[]; next: number; valid: WirePoint[]; stolen: boolean } | undefined;

  constructor(private readonly options: PageReporterOptions) {
    this.buffer = new RetryBuffer(options.retryBuffer);
    this.onError = options.onError === undefined ? warn : options.onError;
  }

  start(): this {
    this.timer ??= setInterval(() => {
      // A slow flush is not piled up on: the next one collects whatever this tick would have.
      if (!this.running && this.queued === undefined) void this.flush();
    }, this.options.interval);
    return this;
  }

  stop(): Promise<FlushResult> {
    clearInterval(this.timer);
    this.timer = undefined;
    return this.flush();
  }

  /** Collects and sends now, after any flush in progress; requests made meanwhile share one flush. Never rejects. */
  flush(): Promise<FlushResult> {
    if (this.queued !== undefined) return this.queued;
    const promise: Promise<FlushResult> = this.tail.then(() => {
      if (this.queued === promise) this.queued = undefined;
      return this.run();
    });
    this.queued = promise;
    this.tail = promise;
    return promise;
  }

  stats(): ReporterStats {
    return { ...this.totals, buffered: this.buffer.size };
  }

  /**
   * For the page-hide flush: collects now (even while a flush runs), takes over what a
   * flush is still preparing and the retry buffer, oldest first, prepared by `preparer`;
   * `counted` hears first how many points at most it hands back. The caller settles each
   * through the returned handle.
   */
  drain(preparer: Pick<ReporterSender, "prepare"> = this.options.sender, counted?: (points: number) => void): DrainedPoints {
    const result = emptyFlushResult();
    const before = this.totals.inFlight;
    let points: WirePoint[] = [];
    try {
      const collected = this.collect(result);
      const job = this.preparing;
      counted?.(collected.length + this.buffer.size + (job === undefined ? 0 : job.valid.length + job.fresh.length - job.next));
      let taken = this.prepare(preparer, collected, result);
      if (job !== undefined) {
        const rest = this.prepare(preparer, job.fresh.slice(job.next), result);
        job.stolen = true;
        this.preparing = undefined;
        taken = job.valid.concat(rest, taken);
      }
      points = this.withRetried(taken, result);
    } catch (error) {
      this.settle(result, "rejected", this.totals.inFlight - before, [error]);
    }
    return {
      points,
      delivered: (count) => {
        this.meta.recordSend(count, 0, undefined);
        this.settle(result, "delivered", count);
      },
      retry: (retried) => {
        this.meta.recordSend(0, retried.length, undefined);
        this.toBuffer(retried, result);
      },
      rejected: (count, error) => {
        this.meta.recordSend(0, count, undefined);
        this.settle(result, "rejected", count, [error]);
      },
    };
  }

  private async run(): Promise<FlushResult> {
    const result = emptyFlushResult();
    this.running = true;
    try {
      const queue = await this.take(result);
      if (queue.length > 0) await this.send(queue, result);
    } catch (error) {
      // Only a bug gets here: give up what this flush held, and say so.
      this.settle(result, "rejected", this.totals.inFlight, [error]);
    } finally {
      this.running = false;
      this.totals.flushes++;
      result.buffered = this.buffer.size;
    }
    return result;
  }

  /** Collects, prepares `sliceSize` points at a time (the thread given back in between), adds the retry buffer. */
  private async take(result: FlushResult): Promise<WirePoint[]> {
    const job = { fresh: this.collect(result), next: 0, valid: [] as WirePoint[], stolen: false };
    this.preparing = job;
    try {
      while (job.next < job.fresh.length) {
        await this.options.yield();
        if (job.stolen) return [];
        const end = Math.min(job.fresh.length, job.next + this.options.sliceSize);
        for (const row of this.prepare(this.options.sender, job.fresh.slice(job.next, end), result)) job.valid.push(row);
        job.next = end;
      }
    } finally {
      if (this.preparing === job) this.preparing = undefined;
    }
    return this.withRetried(job.valid, result);
  }

  /** The registry's deltas and the meta points, prefixed and stamped; counted recorded and in flight. */
  private collect(result: FlushResult): DataPoint[] {
    const startMs = Date.now();
    // Each flush a later timestamp than the one before: two delta flushes must never share one.
    const stampMs = (this.lastStampMs = Math.max(startMs, this.lastStampMs + 1));
    const problems: unknown[] = [];
    let collected: ReturnType<Collectable["collect"]> = [];
    try {
      collected = this.options.registry.collect({ now: startMs, temporality: "delta", form: "deltas", onError: (e) => problems.push(e) });
    } catch (error) {
      problems.push(error);
    }
    if (problems.length > 0) this.report(result, 0, 0, problems);
    const prefix = this.options.prefix ?? "";
    const points = collected.concat(this.meta.collect("delta")).map(({ metric, tags, value, delta }) => {
      const point: DataPoint = { metric: prefix + metric, tags, timestamp: stampMs / 1000, value };
      if (delta !== undefined) point.delta = delta;
      return point;
    });
    this.count(result, "recorded", points.length);
    return points;
  }

  /** The valid points prepared; invalid ones (a non-finite value) are rejected and reported. */
  private prepare(preparer: Pick<ReporterSender, "prepare">, points: DataPoint[], result: FlushResult): WirePoint[] {
    const prepared = prepareValid(preparer, points, this.options.tags);
    if (prepared.invalid > 0) {
      this.meta.recordSend(0, prepared.invalid, undefined);
      this.settle(result, "rejected", prepared.invalid, prepared.errors);
    }
    return prepared.valid;
  }

  /** The retry buffer's points (oldest first), then `points`. */
  private withRetried(points: WirePoint[], result: FlushResult): WirePoint[] {
    const retried = this.buffer.takeAll();
    result.retried = retried.length;
    this.totals.inFlight += retried.length;
    return retried.concat(points);
  }

  /** One call to the sender, then every point settled by its outcome (counts clamped to the queue). */
  private async send(queue: WirePoint[], result: FlushResult): Promise<void> {
    result.requests++;
    const started = Date.now();
    const outcome = await this.options.sender.deliver(queue);
    const n = queue.length;
    const undelivered = outcome.undelivered.slice(0, n);
    const rejected = Math.max(0, Math.min(outcome.rejected, n - undelivered.length));
    const stored = Math.max(0, Math.min(outcome.stored, n - undelivered.length - rejected));
    this.meta.recordSend(stored, n - stored, Date.now() - started);
    this.settle(result, "delivered", stored);
    // Points the outcome does not account for are never counted as delivered.
    const unaccounted = n - undelivered.length - rejected - stored;
    if (rejected + unaccounted > 0) {
      const reasons = outcome.reasons.length > 0 ? outcome.reasons : [outcome.failure?.error ?? new Error(`${rejected + unaccounted} point(s) rejected`)];
      this.settle(result, "rejected", rejected + unaccounted, reasons, outcome.rejectedStatus, stored);
    }
    if (undelivered.length === 0) return;
    const error = outcome.failure?.error;
    const status = (error as { statusCode?: number } | undefined)?.statusCode;
    if (outcome.failure?.retryable === false) this.settle(result, "rejected", undelivered.length, [error], status, stored);
    else {
      this.report(result, stored, undelivered.length, [error], status);
      this.toBuffer(undelivered, result);
    }
  }

  /** Points in flight wait in the retry buffer; any it evicts are counted and reported as dropped. */
  private toBuffer(points: WirePoint[], result: FlushResult): void {
    this.totals.inFlight -= points.length;
    const evicted = this.buffer.push(points);
    if (evicted === 0) return;
    this.meta.recordDropped(evicted);
    this.count(result, "dropped", evicted);
    this.report(result, 0, evicted, [new ApptuitDroppedError(evicted, this.buffer)]);
  }

  /** `count` points in flight are delivered or rejected (the latter reported with `errors`). */
  private settle(result: FlushResult, how: "delivered" | "rejected", count: number, errors?: unknown[], status?: number, successful = 0): void {
    this.count(result, how, count);
    this.totals.inFlight -= count;
    if (errors !== undefined) this.report(result, successful, count, errors, status);
  }

  private count(result: FlushResult, field: "recorded" | "delivered" | "rejected" | "dropped", n: number): void {
    result[field] += n;
    this.totals[field] += n;
    if (field === "recorded") this.totals.inFlight += n;
  }

  /** Marks the flush failed, keeps the errors in its result, tells the error handler. */
  private report(result: FlushResult, successful: number, failed: number, errors: unknown[], status?: number): void {
    result.ok = false;
    for (let i = 0; i < errors.length && result.errors.length < 100; i++) result.errors.push(errors[i]);
    try {
      this.onError?.(status, successful, failed, errors);
    } catch {
      // A throwing error handler must not break the flush.
    }
  }
}

/** The default error handler: one short line (a relay page holds no token to mask). */
const warn: ReporterErrorHandler = (status, successful, failed, errors) =>
  console.warn(`apptuit: ${failed} point(s) failed, ${successful} succeeded${status === undefined ? "" : ` (HTTP ${status})`}: ${String(errors[0])}`);
