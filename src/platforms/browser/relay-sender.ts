import { ApptuitHttpError } from "../../core/errors/http-error";
import { ApptuitNetworkError } from "../../core/errors/network-error";
import { parseRetryAfter } from "../../core/http";
import { preparePoints, type PrepareContext } from "../../core/prepare";
import { createSanitizer, sanitizeTagKeys } from "../../core/sanitize";
import type { DataPoint, SanitizeMode, Tags } from "../../core/types";
import type { WirePoint } from "../../core/wire";
import { encodeCompact } from "../../relay/compact-format";
import type { ReporterSender } from "../../reporter/options";
import { takeFitting } from "./chunk";
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
}

/**
 * Sends to a relay (`apptuit/relay`) in the compact format as `text/plain`: no token in
 * the page, and no CORS preflight even cross-origin. Points are prepared here with the
 * same rules as the client (validate, merge tags, sanitize), without a token.
 *
 * Each body goes with `keepalive` when the page's 64 KiB quota has room, so an interval
 * flush that is running when the page goes away still arrives.
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
    const { maxBodyBytes, maxPoints, quota } = this.options;
    let offset = 0;
    let requests = 0;
    const refused: WirePoint[] = [];
    let refusal: ApptuitHttpError | undefined;
    while (offset < points.length) {
      const chunk = takeFitting(points.slice(offset, offset + maxPoints), maxBodyBytes, encodeCompact);
      if (chunk === undefined) {
        refusal = new ApptuitHttpError(`point does not fit in ${maxBodyBytes} bytes`, { statusCode: 413 });
        refused.push(points[offset]!);
        offset++;
        continue;
      }
      const keepalive = quota.tryReserve(chunk.bytes);
      let response: Response;
      try {
        response = await fetch(this.options.url, {
          method: "POST",
          body: chunk.body,
          keepalive,
          headers: { "content-type": "text/plain;charset=UTF-8" },
          signal: AbortSignal.timeout(this.options.timeout),
        });
        await response.body?.cancel().catch(() => undefined);
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        throw withUndelivered(new ApptuitNetworkError(`POST ${this.options.url} failed: ${reason}`, { cause: error }), refused.concat(points.slice(offset)));
      } finally {
        if (keepalive) quota.release(chunk.bytes);
      }
      requests++;
      if (!response.ok) {
        const retryAfter = parseRetryAfter(response.headers.get("retry-after"));
        const error = new ApptuitHttpError(`POST ${this.options.url} answered ${response.status}`, {
          statusCode: response.status,
          ...(retryAfter === undefined ? {} : { retryAfter }),
        });
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
}

function withUndelivered<E extends { undelivered: WirePoint[] }>(error: E, points: WirePoint[]): E {
  error.undelivered = points;
  return error;
}
