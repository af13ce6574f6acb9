import { ApptuitHttpError } from "../../core/errors/http-error";
import { ApptuitNetworkError } from "../../core/errors/network-error";
import type { DataPoint, Tags } from "../../core/types";
import type { WirePoint } from "../../core/wire";
import type { ReporterSender } from "../../reporter/options";
import type { Prepared } from "../../reporter/prepare-valid";
import { storedCount } from "./stored-count";
import { addReasons, emptyOutcome, outcomeError, type SendOutcome } from "../../core/outcome";
import { isRetryableStatus } from "../../core/wire-rules";
import { compactBody } from "./body-writer";
import { cutBody } from "../../core/body-cutter";
import { postToRelay } from "./relay-post";
import { pagePoints } from "./page-points";
import type { KeepaliveQuota } from "./quota";

export interface RelaySenderOptions {
  url: string;
  /** Tags every point carries (point and reporter tags win). */
  globalTags: Tags;
  /** Largest body, in bytes (the relay's `maxBodyBytes`, default 65,536). */
  maxBodyBytes: number;
  /** Most points in one body (the relay's `maxPoints`, default 5,000). */
  maxPoints: number;
  /** Per request, ms. */
  timeout: number;
  quota: KeepaliveQuota;
  /** Awaited every `sliceSize` points while a body is encoded (see `createYielder`); none: encode each body in one go. */
  yield?: () => PromiseLike<void> | void;
  /** Points encoded between two `yield` calls; default 256. */
  sliceSize?: number;
  /** A `fetch` to use instead of the global one (looked up at call time). */
  fetch?: typeof fetch;
}

interface Body {
  body: string;
  bytes: number;
  /** The points in the body, in order. */
  points: WirePoint[];
  /** Index of the first point after the body. */
  next: number;
}

/**
 * Sends to a relay (`apptuit/relay`) in the compact format as `text/plain`: no token in
 * the page, and no CORS preflight even cross-origin. Points are prepared (`pagePoints`)
 * with tags merged and values checked, without a token; the relay does the rest.
 *
 * Bodies are cut in one pass (the page writer knows its exact size after every point),
 * giving the thread back between slices. Each body goes with `keepalive` when the page's
 * 64 KiB quota has room, so an interval flush that is running when the page goes away
 * still arrives.
 */
export class RelaySender implements ReporterSender {
  private readonly toPoints: ReturnType<typeof pagePoints>;
  readonly deliver: (points: WirePoint[]) => Promise<SendOutcome>;

  constructor(private readonly options: RelaySenderOptions) {
    this.toPoints = pagePoints(options.globalTags);
    this.deliver = relayDelivery(options);
  }

  get url(): string {
    return this.options.url;
  }

  /** The valid points prepared, each other one set aside with its error (what the page reporter takes). */
  prepareValid(points: readonly DataPoint[], tags: Tags | undefined): Prepared {
    return this.toPoints(points, tags);
  }

  /** As a `ReporterSender`: throws the first invalid point's `ApptuitValidationError` (its `index` in `points`). */
  prepare(points: readonly DataPoint[], options: { tags?: Tags } = {}): WirePoint[] {
    const prepared = this.toPoints(points, options.tags);
    if (prepared.invalid > 0) throw prepared.errors[0];
    return prepared.valid;
  }

  /** `deliver`, thrown as the client throws: for callers of `send()`-like code. */
  async sendPrepared(points: WirePoint[]): Promise<{ points: number; requests: number }> {
    const outcome = await this.deliver(points);
    const error = outcomeError(outcome);
    if (error !== undefined) throw error;
    return { points: outcome.stored, requests: outcome.requests };
  }
}

/**
 * The relay sender's `deliver`, on its own for the page reporter (which needs nothing else
 * of a sender): one request per body; says what became of every point. A point the compact
 * format cannot carry, or too large for any body, is rejected alone; a body refused for
 * good (4xx but 408/429, a redirect) is rejected and the others still go; a retryable
 * failure stops the call, leaving that body and everything after it undelivered.
 */
export function relayDelivery(options: RelaySenderOptions): (points: WirePoint[]) => Promise<SendOutcome> {
  return async (points: WirePoint[]): Promise<SendOutcome> => {
    const { quota, url } = options;
    const outcome = emptyOutcome();
    let offset = 0;
    while (offset < points.length) {
      const chunk = await nextBody(options, points, offset, outcome);
      if (chunk === undefined) break;
      const keepalive = quota.tryReserve(chunk.bytes);
      const post = (keepalive: boolean) => postToRelay(url, chunk.body, keepalive, options.timeout, options.fetch);
      let response: Response;
      try {
        // The browser's own keepalive books may differ from ours (it frees bytes a little
        // late): a keepalive request it refuses at once goes again as an ordinary one.
        response = await post(keepalive).catch((error: unknown) =>
          keepalive && error instanceof TypeError ? post(false) : Promise.reject(error),
        );
        if (response.status !== 400) await response.body?.cancel().catch(() => undefined);
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        outcome.undelivered = chunk.points.concat(points.slice(chunk.next));
        outcome.failure = { error: new ApptuitNetworkError(`POST ${url} failed: ${reason}`, { cause: error }), retryable: true };
        return outcome;
      } finally {
        if (keepalive) quota.settle(chunk.bytes);
      }
      outcome.requests++;
      offset = chunk.next;
      if (response.ok) {
        outcome.stored += chunk.points.length;
        continue;
      }
      // No Retry-After here: the reporter waits for its next interval anyway, and parsing
      // it would take core's HTTP layer (ky) into relay-mode pages.
      const status = response.status;
      const error = new ApptuitHttpError(`POST ${url} answered ${status || "a redirect"}`, { statusCode: status });
      if (isRetryableStatus(status)) {
        outcome.undelivered = chunk.points.concat(points.slice(offset));
        outcome.failure = { error, retryable: true };
        return outcome;
      }
      // The relay's 400 for an upstream rejection says how many were stored.
      const stored = status === 400 ? await storedCount(response, chunk.points.length, MAX_ANSWER_BYTES) : 0;
      outcome.stored += stored;
      outcome.rejected += chunk.points.length - stored;
      outcome.rejectedStatus = status;
      addReasons(outcome, [{ datapoint: undefined, error: error.message }]);
    }
    return outcome;
  };
}

/**
 * The next body from `points[offset…]`, cut by `cutBody` a slice of `sliceSize` points at a
 * time with the thread given back in between; a point the compact format refuses or too
 * large alone is rejected into `outcome` and skipped. Undefined when no point is left.
 */
async function nextBody(options: RelaySenderOptions, points: WirePoint[], offset: number, outcome: SendOutcome): Promise<Body | undefined> {
  const { maxBodyBytes, maxPoints, sliceSize = 256 } = options;
  const writer = compactBody();
  const refused = new Set<number>();
  const refuse = (index: number, reason: string) => {
    refused.add(index);
    outcome.rejected++;
    addReasons(outcome, [{ datapoint: points[index], error: reason }]);
  };
  let i = offset;
  while (i < points.length && writer.count < maxPoints) {
    const to = Math.min(points.length, i + Math.min(sliceSize, maxPoints - writer.count));
    i = cutBody(points, i, to, maxBodyBytes, writer, refuse);
    if (i < to || i >= points.length || writer.count >= maxPoints) break; // full, or done
    await options.yield?.();
  }
  if (writer.count === 0) return undefined;
  const taken = points.slice(offset, i);
  return {
    body: writer.finish(),
    bytes: writer.bytes,
    points: refused.size === 0 ? taken : taken.filter((_, k) => !refused.has(offset + k)),
    next: i,
  };
}

/** Largest relay answer read (its 400 is a small JSON object). */
const MAX_ANSWER_BYTES = 4_096;
