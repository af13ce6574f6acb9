import { ApptuitHttpError } from "../../core/errors/http-error";
import { ApptuitNetworkError } from "../../core/errors/network-error";
import type { DataPoint, Tags } from "../../core/types";
import type { WirePoint } from "../../core/wire";
import type { ReporterSender } from "../../reporter/options";
import type { Prepared } from "../../reporter/prepare-valid";
import { relayStored } from "./relay-stored";
import { addReasons, emptyOutcome, outcomeError, type SendOutcome } from "../../core/outcome";
import { isRetryableStatus } from "../../core/wire-rules";
import { compactBody } from "./body-writer";
import { cutBody } from "../../core/body-cutter";
import { postToRelay } from "./relay-post";
import { pagePoints } from "./page-points";
import type { KeepaliveQuota } from "./quota";
import type { PageDelivery, PageSettle } from "./page-reporter";
import type { SendErrorDetail } from "../../core/errors/send-error";

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
  /**
   * What became of every point: as a `SendOutcome` (the general reporter), or settled body
   * by body through `settle` (the page reporter).
   */
  readonly deliver: { (points: WirePoint[]): Promise<SendOutcome>; (points: WirePoint[], settle: PageSettle): Promise<void> };

  constructor(private readonly options: RelaySenderOptions) {
    this.toPoints = pagePoints(options.globalTags);
    const delivery = relayDelivery(options);
    const outcome = outcomeOf(delivery);
    this.deliver = ((points: WirePoint[], settle?: PageSettle) =>
      settle === undefined ? outcome(points) : delivery(points, settle)) as RelaySender["deliver"];
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
 * The relay sender's delivery, on its own for the page reporter (which needs nothing else
 * of a sender): one request per body, each body settled by its answer. A point the compact
 * format cannot carry, or too large for any body, is rejected alone; a body refused for
 * good (4xx but 408/429, a redirect) is rejected and the others still go; a retryable
 * failure stops the call, that body and everything after it back to the retry buffer.
 */
export function relayDelivery(options: RelaySenderOptions): PageDelivery {
  return async (points, settle) => {
    const { quota, url } = options;
    let offset = 0;
    while (offset < points.length) {
      const chunk = await nextBody(options, points, offset, settle);
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
        await response.body?.cancel().catch(() => undefined);
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        return settle.retry(
          chunk.points.concat(points.slice(chunk.next)),
          new ApptuitNetworkError(`POST ${url} failed: ${reason}`, { cause: error }),
        );
      } finally {
        if (keepalive) quota.settle(chunk.bytes);
      }
      offset = chunk.next;
      if (response.ok) {
        settle.delivered(chunk.points.length);
        continue;
      }
      // No Retry-After here: the reporter waits for its next interval anyway, and parsing
      // it would take core's HTTP layer (ky) into relay-mode pages.
      const status = response.status;
      const error = new ApptuitHttpError(`POST ${url} answered ${status || "a redirect"}`, { statusCode: status });
      if (isRetryableStatus(status)) return settle.retry(chunk.points.concat(points.slice(offset)), error, status);
      // The relay's 400 for an upstream rejection says how many were stored (in a header).
      const stored = status === 400 ? relayStored(response, chunk.points.length) : 0;
      // An answered body is always `delivered` (possibly 0): `outcomeOf` counts it a request.
      settle.delivered(stored);
      if (stored < chunk.points.length)
        settle.rejected(chunk.points.length - stored, [{ datapoint: undefined, error: error.message }], status);
    }
  };
}

/**
 * The next body from `points[offset…]`, cut by `cutBody` a slice of `sliceSize` points at a
 * time with the thread given back in between; the points the compact format refuses or too
 * large alone are rejected through `settle` (one call for the body) and skipped. Undefined
 * when no point is left.
 */
async function nextBody(options: RelaySenderOptions, points: WirePoint[], offset: number, settle: PageSettle): Promise<Body | undefined> {
  const { maxBodyBytes, maxPoints, sliceSize = 256 } = options;
  const writer = compactBody();
  const refused = new Set<number>();
  const reasons: SendErrorDetail[] = [];
  const refuse = (index: number, reason: string) => {
    refused.add(index);
    reasons.push({ datapoint: points[index], error: reason });
  };
  let i = offset;
  while (i < points.length && writer.count < maxPoints) {
    const to = Math.min(points.length, i + Math.min(sliceSize, maxPoints - writer.count));
    i = cutBody(points, i, to, maxBodyBytes, writer, refuse);
    if (i < to || i >= points.length || writer.count >= maxPoints) break; // full, or done
    await options.yield?.();
  }
  if (refused.size > 0) settle.rejected(refused.size, reasons);
  if (writer.count === 0) return undefined;
  const taken = points.slice(offset, i);
  return {
    body: writer.finish(),
    bytes: writer.bytes,
    points: refused.size === 0 ? taken : taken.filter((_, k) => !refused.has(offset + k)),
    next: i,
  };
}

/**
 * A `SendOutcome` of a page delivery, for the general reporter and `send()`-like callers
 * (a relay-mode page's reporter settles body by body and never builds one).
 */
function outcomeOf(deliver: PageDelivery): (points: WirePoint[]) => Promise<SendOutcome> {
  return async (points) => {
    const outcome = emptyOutcome();
    await deliver(points, {
      delivered: (n) => {
        outcome.stored += n;
        outcome.requests++;
      },
      retry: (undelivered, error, status) => {
        // An HTTP answer (a status) is a request answered; a network failure is not.
        if (status !== undefined) outcome.requests++;
        outcome.undelivered = undelivered;
        outcome.failure = { error, retryable: true };
      },
      rejected: (n, reasons, status) => {
        outcome.rejected += n;
        if (status !== undefined) outcome.rejectedStatus = status;
        addReasons(outcome, reasons as SendErrorDetail[]);
      },
    });
    return outcome;
  };
}
