import type { Collectable, CollectedPoint, CollectForm, DataPoint, Tags, Temporality } from "../../core/types";
import type { WirePoint } from "../../core/wire";
import type { DrainedPoints } from "../../reporter/drained";
import { ApptuitDroppedError } from "../../reporter/dropped-error";
import type { ReporterErrorHandler } from "../../reporter/error-handler";
import { emptyFlushResult, type FlushResult } from "../../reporter/flush-result";
import type { SendStats } from "../../reporter/meta-metrics";
import type { Reporter } from "../../reporter/reporter-api";
import type { Prepared } from "../../reporter/prepare-valid";
import { estimateBytes, type RetryBufferLimits } from "../../reporter/retry-buffer";

/**
 * How the page reporter prepares points: the valid ones as wire rows, each other one set
 * aside with its error, never a throw (the relay sender's `pagePoints`; a throwing
 * `ReporterSender.prepare` fits through `prepareValid` in reporter/prepare-valid.ts).
 */
export interface PagePreparer {
  prepareValid(points: readonly DataPoint[], tags: Tags | undefined): Prepared;
}

/**
 * How the points a sender or the page-hide flush was given are settled, body by body, each
 * point exactly once: stored, back to the retry buffer, or refused for good.
 */
export interface PageSettle {
  /** `count` of them were stored (or handed to the browser for good: a queued beacon). */
  delivered(count: number): void;
  /** Back to the retry buffer; an `error`, when given, goes to the error handler with `status`. */
  retry(points: WirePoint[], error?: unknown, status?: number): void;
  /** `count` of them refused for good; `error` (one, or a list of reasons) goes to the error handler. */
  rejected(count: number, error: unknown, status?: number): void;
}

/** A sender's delivery: settles every point of `points` through `settle` before it resolves. */
export type PageDelivery = (points: WirePoint[], settle: PageSettle) => Promise<void>;

export interface PageReporterOptions {
  registry: Collectable;
  /** Prepares and sends (relay mode's `relayDelivery`, direct mode's client through `settleOutcome`). */
  sender: PagePreparer & { deliver: PageDelivery };
  interval: number;
  /**
   * What a flush collects: default the `deltas` form (kinds, for a relay); direct mode
   * takes `fields` (Dropwizard fields, what the write API stores) with its temporality.
   */
  collect?: { form: CollectForm; temporality: Temporality };
  prefix?: string;
  tags?: Tags;
  /** Default 10,000 points, 2 MiB (estimated). */
  retryBuffer?: RetryBufferLimits;
  /** Default: one line on `console.warn`; `null` silences. */
  onError?: ReporterErrorHandler | null;
  /**
   * The reporter's own send stats, collected with every flush: a relay page's counters and
   * timer of its own kinds (`pageSendStats`, expanded by the relay), or `MetaMetrics`'
   * 9 field points (direct mode, for the write API).
   */
  sendStats: SendStats;
  /** Points prepared between two `yield` calls. */
  sliceSize: number;
  yield: () => PromiseLike<void> | void;
}

export interface PageReporter extends Reporter {
  /**
   * For the page-hide flush (urgent-flush.ts): collects now (even while a flush runs),
   * takes over what a flush is still preparing and the retry buffer, oldest first,
   * prepared by `preparer`; `counted` hears first how many points at most it hands back.
   * The caller settles each through the returned handle.
   */
  drain(preparer?: PagePreparer, counted?: (points: number) => void): DrainedPoints & PageSettle;
}

type Books = "recorded" | "delivered" | "rejected" | "dropped";

/**
 * The reporter of a page, in relay and direct mode (docs/browser-page-size.md): the general
 * reporter's guarantees with only what a page needs, written as one closure so that it
 * minifies small. Every interval it collects the registry (deltas for a relay, fields for
 * the write API; stamped later than the previous flush), prepares the points a slice at a
 * time, and hands them with the retry buffer's points to the sender in one call; the
 * sender settles each point once, body by body — delivered, rejected (reported), or back
 * in the bounded retry buffer (evictions dropped and reported). So `recorded === delivered + rejected + dropped +
 * buffered + inFlight`, as `stats()` says. Flushes never overlap and never throw. Its own
 * counts go out with every flush through `sendStats` (`apptuit.reporter.send.*`, deltas).
 */
export function pageReporter(options: PageReporterOptions): PageReporter {
  const {
    registry,
    sender,
    sendStats,
    prefix = "",
    tags,
    sliceSize,
    collect: collectAs = { temporality: "delta", form: "deltas" },
  } = options;
  const onError = options.onError === undefined ? warn : options.onError;
  const maxPoints = options.retryBuffer?.maxPoints ?? 10_000;
  const maxBytes = options.retryBuffer?.maxBytes ?? 2 * 1024 * 1024;
  const totals = { recorded: 0, delivered: 0, rejected: 0, dropped: 0, inFlight: 0, flushes: 0 };
  let buffer: WirePoint[] = [];
  let bufferBytes = 0;
  let timer: ReturnType<typeof setInterval> | undefined;
  let running = false;
  let tail: Promise<unknown> = Promise.resolve();
  let queued: Promise<FlushResult> | undefined;
  let lastStampMs = -Infinity;
  /** The points of a flush still being prepared: a `drain()` meanwhile takes them over. */
  let preparing: { fresh_: DataPoint[]; next: number; valid: WirePoint[]; stolen_?: boolean } | undefined;

  const count = (result: FlushResult, field: Books, n: number) => {
    result[field] += n;
    totals[field] += n;
    totals.inFlight += field === "recorded" ? n : field === "dropped" ? 0 : -n;
  };

  /** Marks the flush failed, keeps the errors in its result, tells the error handler. */
  const report = (result: FlushResult, successful: number, failed: number, errors: unknown[], status?: number) => {
    result.ok = false;
    for (let i = 0; i < errors.length && result.errors.length < 100; i++) result.errors.push(errors[i]);
    try {
      onError?.(status, successful, failed, errors);
    } catch {
      // A throwing error handler must not break the flush.
    }
  };

  const sent = (successful: number, failed: number, ms?: number) => sendStats.recordSend(successful, failed, ms);

  const reject = (result: FlushResult, n: number, errors: unknown[], status?: number, successful = 0) => {
    sent(0, n);
    count(result, "rejected", n);
    report(result, successful, n, errors, status);
  };

  /** Points in flight wait in the retry buffer (oldest evicted past its bounds: dropped, reported). */
  const toBuffer = (points: WirePoint[], result: FlushResult) => {
    totals.inFlight -= points.length;
    for (const p of points) bufferBytes += estimateBytes(p);
    buffer = buffer.concat(points);
    let evicted = 0;
    while (evicted < buffer.length && (buffer.length - evicted > maxPoints || bufferBytes > maxBytes))
      bufferBytes -= estimateBytes(buffer[evicted++]!);
    if (evicted === 0) return;
    buffer = buffer.slice(evicted);
    sendStats.recordDropped(evicted);
    count(result, "dropped", evicted);
    report(result, 0, evicted, [new ApptuitDroppedError(evicted, { maxPoints, maxBytes })]);
  };

  /** The retry buffer's points (oldest first), then `points`. */
  const withRetried = (points: WirePoint[], result: FlushResult) => {
    const retried = buffer;
    buffer = [];
    bufferBytes = 0;
    result.retried = retried.length;
    totals.inFlight += retried.length;
    return retried.concat(points);
  };

  /** The registry's deltas and the send stats, prefixed and stamped; counted recorded and in flight. */
  const collect = (result: FlushResult): DataPoint[] => {
    const startMs = Date.now();
    // Each flush a later timestamp than the one before: two delta flushes must never share one.
    const stampMs = (lastStampMs = Math.max(startMs, lastStampMs + 1));
    const problems: unknown[] = [];
    let collected: CollectedPoint[] = [];
    try {
      collected = registry.collect({ now: startMs, ...collectAs, onError: (e) => problems.push(e) });
    } catch (error) {
      problems.push(error);
    }
    if (problems.length > 0) report(result, 0, 0, problems);
    const points = collected.concat(sendStats.collect("delta")).map(({ metric, tags, value, delta }) => {
      const point: DataPoint = { metric: prefix + metric, tags, timestamp: stampMs / 1000, value };
      if (delta !== undefined) point.delta = delta;
      return point;
    });
    count(result, "recorded", points.length);
    return points;
  };

  /** The valid points prepared; invalid ones (a non-finite value) are rejected and reported. */
  const prepare = (preparer: PagePreparer, points: DataPoint[], result: FlushResult): WirePoint[] => {
    const prepared = preparer.prepareValid(points, tags);
    if (prepared.invalid > 0) reject(result, prepared.invalid, prepared.errors);
    return prepared.valid;
  };

  /** Collects, prepares `sliceSize` points at a time (the thread given back in between), adds the retry buffer. */
  const take = async (result: FlushResult): Promise<WirePoint[]> => {
    const job: NonNullable<typeof preparing> = { fresh_: collect(result), next: 0, valid: [] };
    preparing = job;
    try {
      while (job.next < job.fresh_.length) {
        await options.yield();
        if (job.stolen_) return [];
        const end = Math.min(job.fresh_.length, job.next + sliceSize);
        for (const row of prepare(sender, job.fresh_.slice(job.next, end), result)) job.valid.push(row);
        job.next = end;
      }
    } finally {
      if (preparing === job) preparing = undefined;
    }
    return withRetried(job.valid, result);
  };

  /** Settles points of `result`'s flush — the interval flush's, body by body as the sender hears, or the hide flush's. */
  const settle = (result: FlushResult): PageSettle => ({
    delivered: (n) => {
      sent(n, 0);
      count(result, "delivered", n);
    },
    retry: (points, error, status) => {
      sent(0, points.length);
      if (error !== undefined) report(result, result.delivered, points.length, [error], status);
      toBuffer(points, result);
    },
    rejected: (n, error, status) => reject(result, n, Array.isArray(error) ? error : [error], status, result.delivered),
  });

  /** One call to the sender, which settles every point; the call timed as one send. */
  const send = async (queue: WirePoint[], result: FlushResult) => {
    result.requests++;
    const started = Date.now();
    await sender.deliver(queue, settle(result));
    sent(0, 0, Date.now() - started);
  };

  const run = async (): Promise<FlushResult> => {
    const result = emptyFlushResult();
    running = true;
    try {
      const queue = await take(result);
      if (queue.length > 0) await send(queue, result);
    } catch (error) {
      // Only a bug gets here: give up what this flush held, and say so.
      reject(result, totals.inFlight, [error]);
    } finally {
      running = false;
      totals.flushes++;
      result.buffered = buffer.length;
    }
    return result;
  };

  const reporter: PageReporter = {
    start() {
      // A slow flush is not piled up on: the next one collects whatever this tick would have.
      timer ??= setInterval(() => running || queued || void reporter.flush(), options.interval);
      return reporter;
    },
    stop() {
      clearInterval(timer);
      timer = undefined;
      return reporter.flush();
    },
    /** Collects and sends now, after any flush in progress; requests made meanwhile share one flush. Never rejects. */
    flush() {
      if (queued !== undefined) return queued;
      const promise: Promise<FlushResult> = tail.then(() => {
        if (queued === promise) queued = undefined;
        return run();
      });
      return (tail = queued = promise);
    },
    stats: () => ({ ...totals, buffered: buffer.length }),
    drain(preparer = sender, counted) {
      const result = emptyFlushResult();
      const before = totals.inFlight;
      let points: WirePoint[] = [];
      try {
        const collected = collect(result);
        const job = preparing;
        counted?.(collected.length + buffer.length + (job === undefined ? 0 : job.valid.length + job.fresh_.length - job.next));
        let taken = prepare(preparer, collected, result);
        if (job !== undefined) {
          const rest = prepare(preparer, job.fresh_.slice(job.next), result);
          job.stolen_ = true;
          preparing = undefined;
          taken = job.valid.concat(rest, taken);
        }
        points = withRetried(taken, result);
      } catch (error) {
        reject(result, totals.inFlight - before, [error]);
      }
      return { points, ...settle(result) };
    },
  };
  return reporter;
}

/** The default error handler: one short line (a relay page holds no token to mask). */
const warn: ReporterErrorHandler = (status, successful, failed, errors) =>
  console.warn(
    `apptuit: ${failed} point(s) failed, ${successful} succeeded${status === undefined ? "" : ` (HTTP ${status})`}: ${String(errors[0])}`,
  );
