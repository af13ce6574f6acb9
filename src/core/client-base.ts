import type { DataPoint, Tags, TimeSeriesInput } from "./types";
import type { WirePoint } from "./wire";
import { type ApptuitOptions, resolveOptions, type ResolvedOptions } from "./options";
import type { HttpClient } from "./http-client";
import { createSanitizer, sanitizeTagKeys } from "./sanitize";
import { type PrepareContext, preparePoints, prepareSeries } from "./prepare";
import { type SendContext, type SendResult, sendPoints } from "./send";
import { emptyOutcome, outcomeError, type SendOutcome } from "./outcome";
import type { GetContext } from "./get-json";
import { type QueryOptions, runQuery } from "./query/query";
import type { QueryOutput, QueryResult } from "./query/result";
import { runPromQuery } from "./prom/prom";
import { toSeconds } from "./time";
import { ApptuitAbortError } from "./errors/abort-error";
import { redact } from "./redact";

export interface SendOptions {
  signal?: AbortSignal;
  /** Tags for every point of this call (e.g. a reporter's tags): above global tags, below point tags. */
  tags?: Tags;
}

export interface PromRangeOptions {
  start: number | Date;
  end: number | Date;
  /** Seconds, or a Prometheus duration such as `"15s"`. */
  step: number | string;
  signal?: AbortSignal;
}

export interface PromInstantOptions {
  /** Evaluation time (seconds or Date); default: now (server side). */
  time?: number | Date;
  signal?: AbortSignal;
}

/**
 * The client, whichever HTTP layer it runs on: `Apptuit` (ky, for servers) and a page's
 * script-tag client (`fetch` alone) are this class with their layer.
 */
export class ApptuitClient {
  // #private: the token never shows up in console.log(client) or JSON.stringify(client).
  readonly #options: ResolvedOptions;
  readonly #http: HttpClient;
  readonly #prepare: PrepareContext;

  constructor(options: ApptuitOptions, http: (options: ResolvedOptions) => HttpClient) {
    this.#options = resolveOptions(options);
    this.#http = http(this.#options);
    const sanitize = createSanitizer(this.#options.sanitize);
    this.#prepare = { sanitize, globalTags: sanitizeTagKeys(this.#options.globalTags, sanitize) };
  }

  /** Resolved endpoints (no token), e.g. for logs. */
  get endpoints(): { write: string; query: string; prom: string } {
    const o = this.#options;
    return { write: o.writeEndpoint, query: o.queryEndpoint, prom: o.promEndpoint };
  }

  /** `text` with this client's token masked: for a line about to be logged (the reporter's default error handler). */
  redact(text: string): string {
    return redact(text, this.#options.token);
  }

  /** Validate, merge tags, sanitize; no I/O. Throws `ApptuitValidationError` naming the point and the rule. */
  prepare(points: readonly DataPoint[], options: { tags?: Tags } = {}): WirePoint[] {
    return preparePoints(points, this.#prepare, options.tags);
  }

  /** `prepare` for `sendTimeseries` input. */
  prepareTimeseries(series: readonly TimeSeriesInput[], options: { tags?: Tags } = {}): WirePoint[] {
    return prepareSeries(series, this.#prepare, options.tags);
  }

  /**
   * Sends datapoints (timestamps in seconds or Dates). Bad input is refused before any
   * request. Failures after a request carry `undelivered`, the points safe to send again.
   */
  async send(points: readonly DataPoint[], options: SendOptions = {}): Promise<SendResult> {
    return this.sendPrepared(this.prepare(points, options), options);
  }

  /** Sends whole series: `timestamps[i]` with `values[i]`. */
  async sendTimeseries(series: readonly TimeSeriesInput[], options: SendOptions = {}): Promise<SendResult> {
    return this.sendPrepared(this.prepareTimeseries(series, options), options);
  }

  /** Sends points that went through `prepare` (or an error's `undelivered`) without validating again. */
  async sendPrepared(points: WirePoint[], options: { signal?: AbortSignal } = {}): Promise<SendResult> {
    if (points.length === 0) return { points: 0, requests: 0 };
    this.#throwIfAborted(options.signal, "POST /api/put", points);
    const outcome = await this.deliver(points, options);
    const error = outcomeError(outcome);
    if (error !== undefined) throw error;
    return { points: outcome.stored, requests: outcome.requests };
  }

  /**
   * Sends prepared points and says what became of each (stored, rejected with reasons, or
   * undelivered and whether worth retrying) instead of throwing: what the reporter reads.
   */
  async deliver(points: WirePoint[], options: { signal?: AbortSignal } = {}): Promise<SendOutcome> {
    if (points.length === 0) return emptyOutcome();
    const o = this.#options;
    const ctx: SendContext = {
      http: this.#http,
      writeEndpoint: o.writeEndpoint,
      token: o.token,
      timeout: o.timeout,
      compress: o.compress,
      signal: options.signal,
      maxPoints: o.maxPointsPerRequest,
    };
    return sendPoints(ctx, points);
  }

  /** Runs an Apptuit query (docs/wire-format.md); `start`/`end` in seconds or Dates. */
  async query(q: string, options: QueryOptions): Promise<QueryResult> {
    const start = toSeconds(options.start, "start");
    const end = options.end === undefined ? undefined : toSeconds(options.end, "end");
    this.#throwIfAborted(options.signal, "GET /api/query");
    return runQuery(this.#get(options.signal), this.#options.queryEndpoint, q, start, end);
  }

  /** PromQL range query (`/api/v1/query_range`), mapped to series; output id `"promql"`. */
  async promQuery(q: string, options: PromRangeOptions): Promise<QueryOutput> {
    const params = {
      query: q,
      start: String(toSeconds(options.start, "start")),
      end: String(toSeconds(options.end, "end")),
      step: String(options.step),
    };
    this.#throwIfAborted(options.signal, "GET /api/v1/query_range");
    return runPromQuery(this.#get(options.signal), `${this.#options.promEndpoint}/api/v1/query_range`, params);
  }

  /** PromQL instant query (`/api/v1/query`): one point per series. */
  async promQueryInstant(q: string, options: PromInstantOptions = {}): Promise<QueryOutput> {
    const params: Record<string, string> = { query: q };
    if (options.time !== undefined) params.time = String(toSeconds(options.time, "time"));
    this.#throwIfAborted(options.signal, "GET /api/v1/query");
    return runPromQuery(this.#get(options.signal), `${this.#options.promEndpoint}/api/v1/query`, params);
  }

  #get(signal: AbortSignal | undefined): GetContext {
    return { http: this.#http, token: this.#options.token, timeout: this.#options.timeout, signal };
  }

  #throwIfAborted(signal: AbortSignal | undefined, what: string, undelivered: WirePoint[] = []): void {
    if (!signal?.aborted) return;
    const error = new ApptuitAbortError(`${what} was aborted by the caller's AbortSignal`, { cause: signal.reason });
    error.undelivered = [...undelivered];
    throw error;
  }
}
