import { ApptuitHttpError } from "../../core/errors/http-error";
import { ApptuitNetworkError } from "../../core/errors/network-error";
import { preparePoints, type PrepareContext } from "../../core/prepare";
import { createSanitizer, sanitizeTagKeys } from "../../core/sanitize";
import type { DataPoint, SanitizeMode, Tags } from "../../core/types";
import type { WirePoint } from "../../core/wire";
import type { ReporterSender } from "../../reporter/options";
import { compactBody } from "./body-writer";
import type { KeepaliveQuota } from "./quota";

export interface RelaySenderOptions {
  url: string;
  sanitize: SanitizeMode;
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
}

interface Body {
  body: string;
  bytes: number;
  count: number;
}

/**
 * Sends to a relay (`apptuit/relay`) in the compact format as `text/plain`: no token in
 * the page, and no CORS preflight even cross-origin. Points are prepared here with the
 * same rules as the client (validate, merge tags, sanitize), without a token.
 *
 * Bodies are cut in one pass (`CompactWriter` knows its exact size after every point),
 * giving the thread back between slices. Each body goes with `keepalive` when the page's
 * 64 KiB quota has room, so an interval flush that is running when the page goes away
 * still arrives.
 */
export class RelaySender implements ReporterSender {
  private readonly ctx: PrepareContext;

  constructor(private readonly options: RelaySenderOptions) {
    const sanitize = createSanitizer(options.sanitize);
    this.ctx = { sanitize, globalTags: sanitizeTagKeys(options.globalTags, sanitize) };
  }

  get url(): string {
    return this.options.url;
  }

  prepare(points: readonly DataPoint[], options: { tags?: Tags } = {}): WirePoint[] {
    return preparePoints(points, this.ctx, options.tags);
  }

  /**
   * One request per body. A body refused for good (4xx but 408/429) does not stop the
   * others; a retryable failure does. Thrown errors list in `undelivered` exactly the
   * points not stored, as the reporter expects from the client: the refused ones, plus on
   * a retryable failure everything not sent yet (refused ones are then refused again later).
   */
  async sendPrepared(points: WirePoint[]): Promise<{ points: number; requests: number }> {
    const { maxBodyBytes, quota } = this.options;
    let offset = 0;
    let requests = 0;
    const refused: WirePoint[] = [];
    let refusal: ApptuitHttpError | undefined;
    while (offset < points.length) {
      const chunk = await this.nextBody(points, offset);
      if (chunk === undefined) {
        refusal = new ApptuitHttpError(`point does not fit in ${maxBodyBytes} bytes`, { statusCode: 413 });
        refused.push(points[offset]!);
        offset++;
        continue;
      }
      const keepalive = quota.tryReserve(chunk.bytes);
      const post = (keepalive: boolean) =>
        fetch(this.options.url, {
          method: "POST",
          body: chunk.body,
          keepalive,
          headers: { "content-type": "text/plain;charset=UTF-8" },
          signal: AbortSignal.timeout(this.options.timeout),
        });
      let response: Response;
      try {
        // The browser's own keepalive books may differ from ours (it frees bytes a little
        // late): a keepalive request it refuses at once goes again as an ordinary one.
        response = await post(keepalive).catch((error: unknown) => (keepalive && error instanceof TypeError ? post(false) : Promise.reject(error)));
        await response.body?.cancel().catch(() => undefined);
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        throw withUndelivered(new ApptuitNetworkError(`POST ${this.options.url} failed: ${reason}`, { cause: error }), refused.concat(points.slice(offset)));
      } finally {
        if (keepalive) quota.settle(chunk.bytes);
      }
      requests++;
      if (!response.ok) {
        // No Retry-After here: the reporter waits for its next interval anyway, and parsing
        // it would take core's HTTP layer (ky) into relay-mode pages.
        const error = new ApptuitHttpError(`POST ${this.options.url} answered ${response.status}`, { statusCode: response.status });
        const permanent = response.status >= 400 && response.status < 500 && response.status !== 408 && response.status !== 429;
        if (!permanent) throw withUndelivered(error, refused.concat(points.slice(offset)));
        refusal = error;
        for (let i = offset; i < offset + chunk.count; i++) refused.push(points[i]!);
      }
      offset += chunk.count;
    }
    if (refusal !== undefined) throw withUndelivered(refusal, refused);
    return { points: points.length, requests };
  }

  /** The next body from `points[offset…]`, yielding every `sliceSize` points; undefined when the first point alone is too big. */
  private async nextBody(points: WirePoint[], offset: number): Promise<Body | undefined> {
    const { maxBodyBytes, maxPoints, sliceSize = 256 } = this.options;
    const writer = compactBody();
    const end = Math.min(points.length, offset + maxPoints);
    let i = offset;
    while (i < end) {
      const stop = Math.min(end, i + sliceSize);
      while (i < stop && writer.tryAdd(points[i]!, maxBodyBytes)) i++;
      if (i < stop) break; // full
      if (i < end && this.options.yield !== undefined) {
        const pause = this.options.yield();
        if (pause !== undefined) await pause;
      }
    }
    return writer.count === 0 ? undefined : { body: writer.finish(), bytes: writer.bytes, count: writer.count };
  }
}

function withUndelivered<E extends { undelivered: WirePoint[] }>(error: E, points: WirePoint[]): E {
  error.undelivered = points;
  return error;
}
