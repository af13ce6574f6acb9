import { ApptuitConfigError } from "../core/errors/config-error";
import type { Collectable, CollectedPoint, CollectForm, DataPoint, Tags, Temporality } from "../core/types";
import type { WirePoint } from "../core/wire";
import { consoleErrorHandler } from "./error-handler";
import { emptyFlushResult, type FlushResult, type ReporterStats } from "./flush-result";
import type { Reporter } from "./reporter-api";
import { DeliveryLedger } from "./ledger";
import { checkSettings, type ReporterCoreOptions, type ReporterSender } from "./options";
import { globalTimerPlatform, type ReporterPlatform } from "./platform";
import { prepareValid } from "./prepare-valid";
import type { DrainedPoints } from "./drained";
import { requestsMade, sendOutcome } from "./send-outcome";

export interface FlushOptions {
  /** Send this flush through another sender (e.g. a beacon sender on page hide). */
  sender?: ReporterSender;
}

/**
 * Collects a registry at an interval and sends its points (docs/metrics.md).
 *
 * Every point it produces ends up, and is counted, in exactly one place: delivered,
 * rejected (reported to the error handler), dropped (evicted from the full retry
 * buffer; counted and reported) or still buffered for retry — see `stats()`.
 * A flush never throws and never overlaps another one. The books are kept by a
 * `DeliveryLedger`; this class schedules flushes, collects, prepares and sends.
 *
 * Each batch is settled from the sender's outcome value (docs/delivery.md): stored →
 * delivered; rejected (400 rows, a point too large alone) → rejected, never resent;
 * undelivered after 401/403, another 4xx but 408/429 or a redirect → rejected; undelivered
 * after a 5xx/408/429/network/timeout (past the client's own retries) → the retry buffer,
 * with their original timestamps, and the rest of the flush waits there too. Invalid
 * points (e.g. a NaN) are rejected before sending. With `delta` temporality that is what
 * keeps a failed delta from being lost or counted twice.
 */
export class ReporterCore implements Reporter {
  readonly registry: Collectable;
  readonly client: ReporterSender;
  readonly interval: number;
  readonly prefix: string;
  readonly tags: Tags | undefined;
  readonly temporality: Temporality;
  private readonly form: CollectForm | undefined;
  private readonly platform: ReporterPlatform;
  private readonly now: () => number;
  private readonly ledger: DeliveryLedger;
  private timer: unknown = undefined;
  private running = false;
  /** The last flush scheduled; flushes run one after another on it. */
  private tail: Promise<unknown> = Promise.resolve();
  /** A flush scheduled but not started yet: later requests join it instead of collecting again. */
  private queued: { sender: ReporterSender; promise: Promise<FlushResult> } | undefined;
  private lastStampMs = -Infinity;
  private readonly sliceSize: number | undefined;
  private readonly pause: () => PromiseLike<void> | void;
  /** The points of a sliced flush still being prepared: a `drain()` meanwhile takes them over. */
  private preparing: PreparingFlush | undefined;

  /**
   * `buildClient` makes the sender when `options.client` is not given (`ApptuitReporter`
   * passes one building an `Apptuit` client; this file stays free of the client so that
   * a page sending through a relay does not carry it). The options hold no credential:
   * the default error handler masks secrets through the sender's own `redact`.
   */
  constructor(options: ReporterCoreOptions, buildClient?: () => ReporterSender) {
    const problem = checkSettings(options);
    if (problem !== undefined) throw new ApptuitConfigError(`invalid reporter options: ${problem}`);
    this.registry = options.registry;
    const client = options.client ?? buildClient?.();
    if (client === undefined) throw new ApptuitConfigError("invalid reporter options: client is required here");
    this.client = client;
    this.interval = options.interval ?? 60_000;
    this.prefix = options.prefix ?? "";
    this.tags = options.tags !== undefined && Object.keys(options.tags).length > 0 ? { ...options.tags } : undefined;
    if (this.tags !== undefined) checkTags(this.client, this.tags);
    this.temporality = options.form === "deltas" ? "delta" : (options.temporality ?? "cumulative");
    this.form = options.form;
    this.platform = options.platform ?? globalTimerPlatform;
    this.now = options.now ?? (() => Date.now());
    this.sliceSize = options.sliceSize;
    this.pause = options.yield ?? (() => undefined);
    this.ledger = new DeliveryLedger(
      options.retryBuffer,
      options.onError === null ? null : (options.onError ?? consoleErrorHandler(client.redact?.bind(client))),
    );
  }

  /** Flushes every `interval` ms from now on. Calling it again does nothing. */
  start(): this {
    if (this.timer === undefined) this.timer = this.platform.setInterval(() => this.tick(), this.interval);
    return this;
  }

  /** Stops the timer, then flushes what is left (after any flush in progress). */
  stop(): Promise<FlushResult> {
    if (this.timer !== undefined) {
      this.platform.clearInterval(this.timer);
      this.timer = undefined;
    }
    return this.flush();
  }

  /**
   * Collects and sends now. Never rejects. While a flush runs, a new request waits for it
   * and then runs once for all requests made meanwhile.
   */
  flush(options: FlushOptions = {}): Promise<FlushResult> {
    const sender = options.sender ?? this.client;
    if (this.queued !== undefined && this.queued.sender === sender) return this.queued.promise;
    const entry: { sender: ReporterSender; promise: Promise<FlushResult> } = { sender, promise: undefined as never };
    entry.promise = this.tail.then(() => {
      if (this.queued === entry) this.queued = undefined;
      return this.run(sender);
    });
    this.queued = entry;
    this.tail = entry.promise;
    return entry.promise;
  }

  /** Running totals; `recorded === delivered + rejected + dropped + buffered + inFlight`. */
  stats(): ReporterStats {
    return this.ledger.stats();
  }

  private tick(): void {
    // A slow flush is not piled up on: the next one collects whatever this tick would have.
    if (this.running || this.queued !== undefined) return;
    void this.flush();
  }

  private async run(sender: ReporterSender): Promise<FlushResult> {
    const result = emptyFlushResult();
    this.running = true;
    try {
      const queue = this.sliceSize === undefined ? this.take(sender, result) : await this.takeSliced(sender, this.sliceSize, result);
      await this.sendAll(queue, sender, result);
    } catch (error) {
      // Only a bug (here or in a custom sender) gets here. Never throw into user code, and
      // keep the books: whatever this flush still held is given up and reported.
      this.ledger.lost(this.ledger.inFlight, error, result);
    } finally {
      this.running = false;
      this.ledger.flushed(result);
    }
    return result;
  }

  /**
   * Urgent and synchronous, for a page being hidden or closed (`apptuit/browser`): collects
   * now, even while a flush runs (the points that flush took stay its own, so nothing is
   * taken twice), and hands back these points with everything in the retry buffer, oldest
   * first, prepared by `preparer` (default: the reporter's client). The caller owns them
   * and must settle each one through the returned handle — `delivered` (e.g. a queued
   * beacon), `retry` (back into the retry buffer; evictions counted as dropped) or
   * `rejected` — until then `stats().inFlight` counts them.
   *
   * With `sliceSize`, a flush still preparing its points between slices hands them over
   * here too (stamped before the ones collected now, and sent by nothing else).
   *
   * `counted` hears, before any point is prepared (the costly part), how many points at
   * most this drain hands back: a closing page notes them before it can be killed.
   */
  drain(preparer: Pick<ReporterSender, "prepare"> = this.client, counted?: (points: number) => void): DrainedPoints {
    const result = emptyFlushResult();
    const before = this.ledger.inFlight;
    let points: WirePoint[] = [];
    try {
      const collected = this.collectNow(result);
      const job = this.preparing;
      // Known before the costly preparing: at most this many points leave with this drain.
      counted?.(collected.length + this.ledger.stats().buffered + (job === undefined ? 0 : job.valid.length + job.fresh.length - job.next));
      const fresh = this.prepareSome(preparer, collected, result);
      let taken = fresh;
      if (job !== undefined) {
        const rest = this.prepareSome(preparer, job.fresh.slice(job.next), result);
        job.stolen = true;
        this.preparing = undefined;
        taken = job.valid.concat(rest, fresh);
      }
      points = this.ledger.withRetried(taken, result);
    } catch (error) {
      // Only a bug in a custom preparer gets here: give up what this drain took, and say so.
      this.ledger.lost(this.ledger.inFlight - before, error, result);
    }
    return this.ledger.drained(points, result);
  }

  /**
   * Collect, prepare and take the retry buffer: what one flush owns from now on, oldest
   * first, counted in flight. Invalid points are rejected and reported here.
   */
  private take(preparer: Pick<ReporterSender, "prepare">, result: FlushResult): WirePoint[] {
    return this.ledger.withRetried(this.prepareSome(preparer, this.collectNow(result), result), result);
  }

  /**
   * `take`, preparing `size` points at a time and awaiting the `yield` option in between,
   * so that a page's main thread is never held for the whole collection.
   */
  private async takeSliced(preparer: Pick<ReporterSender, "prepare">, size: number, result: FlushResult): Promise<WirePoint[]> {
    const job: PreparingFlush = { fresh: this.collectNow(result), next: 0, valid: [], stolen: false };
    this.preparing = job;
    try {
      while (job.next < job.fresh.length) {
        const pause = this.pause();
        if (pause !== undefined) await pause;
        if (job.stolen) return [];
        const end = Math.min(job.fresh.length, job.next + size);
        const valid = this.prepareSome(preparer, job.fresh.slice(job.next, end), result);
        for (const row of valid) job.valid.push(row);
        job.next = end;
      }
    } finally {
      if (this.preparing === job) this.preparing = undefined;
    }
    return this.ledger.withRetried(job.valid, result);
  }

  /** Stamps and collects now; the points are counted (recorded, in flight) from here on. */
  private collectNow(result: FlushResult): DataPoint[] {
    const startMs = this.now();
    // Each flush gets a later timestamp than the one before: the backend keeps one value
    // per series and instant, so two delta flushes must never share one.
    const stampMs = Math.max(startMs, this.lastStampMs + 1);
    this.lastStampMs = stampMs;
    const fresh = this.collect(startMs, stampMs / 1000, result);
    this.ledger.collected(fresh.length, result);
    return fresh;
  }

  /** The valid points prepared; invalid ones are rejected and reported. */
  private prepareSome(preparer: Pick<ReporterSender, "prepare">, points: readonly DataPoint[], result: FlushResult): WirePoint[] {
    const prepared = prepareValid(preparer, points, this.tags);
    if (prepared.invalid > 0) this.ledger.invalid(prepared.invalid, prepared.errors, result);
    return prepared.valid;
  }

  /** The registry's points and the meta points, prefixed, tagged and timestamped. */
  private collect(nowMs: number, timestamp: number, result: FlushResult): DataPoint[] {
    let collected: CollectedPoint[] = [];
    const problems: unknown[] = [];
    try {
      collected = this.registry.collect({
        now: nowMs,
        temporality: this.temporality,
        ...(this.form !== undefined && { form: this.form }),
        onError: (error) => problems.push(error),
      });
    } catch (error) {
      problems.push(error);
    }
    if (problems.length > 0) this.ledger.report(result, undefined, 0, 0, problems);
    const meta = this.ledger.collectMeta(this.temporality);
    const points = new Array<DataPoint>(collected.length + meta.length);
    let i = 0;
    for (const p of collected) points[i++] = this.toPoint(p, timestamp);
    for (const p of meta) points[i++] = this.toPoint(p, timestamp);
    return points;
  }

  /** Reporter tags are merged by the client's `prepare` (point > reporter > global). */
  private toPoint(p: CollectedPoint, timestamp: number): DataPoint {
    const point: DataPoint = { metric: this.prefix + p.metric, tags: p.tags, timestamp, value: p.value };
    if (p.delta !== undefined) point.delta = p.delta;
    return point;
  }

  /**
   * Hands the whole queue to the sender, which cuts it into requests (the client by its
   * `maxPointsPerRequest`, the relay sender by body bytes): batching happens there only.
   * Whatever it could not deliver comes back in the outcome and goes to the retry buffer.
   */
  private async sendAll(queue: WirePoint[], sender: ReporterSender, result: FlushResult): Promise<void> {
    const started = this.now();
    const outcome = await sendOutcome(sender, queue);
    result.requests += requestsMade(outcome);
    this.ledger.settle(queue, outcome, this.now() - started, result);
  }
}

/** Reporter tags are checked once, here, rather than failing every point of every flush. */
function checkTags(sender: ReporterSender, tags: Tags): void {
  try {
    sender.prepare([], { tags });
  } catch (error) {
    throw new ApptuitConfigError(`invalid reporter tags: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/** A sliced flush's collection while it is prepared: `fresh[next…]` not prepared yet. */
interface PreparingFlush {
  fresh: DataPoint[];
  next: number;
  valid: WirePoint[];
  /** Taken over by a `drain()`: the flush sends none of it. */
  stolen: boolean;
}
