/**
 * `createRelay(options)` → a `(request, context?) => Promise<Response>` handler that takes
 * metrics from web pages (which must not hold a token) and writes them to the write API
 * with the token only the server knows. Web standards only: the same handler runs as a
 * Cloudflare Worker, a Next.js route, `Deno.serve` or a Node server.
 *
 * Compact v2 bodies (kinds and deltas) are merged in process into one write per series per
 * window (docs/aggregation.md); OpenTSDB JSON and compact v1 are passed through.
 *
 * Answers: 204 preflight / accounted / delivered · 202 accepted (with `waitUntil`) · 400
 * malformed or invalid payload, timestamp out of range `{error, path?}`, or the write API
 * rejected some points `{error, success, failed}` with `Apptuit-Stored: <success>` · 403 origin or
 * metric prefix not allowed · 405 not POST · 413 body, point count or expansion too large ·
 * 415 unsupported content type or encoding · 429 rate-limited or over a series budget
 * (`Retry-After`) · 500 relay misconfigured · 502 upstream write failed · 503 too many
 * upstream writes in flight (`Retry-After`). A refused request forwards nothing and is
 * counted in `stats().refused`; no answer or log line holds the token.
 */
import { ApptuitConfigError } from "../core/errors/config-error";
import { ApptuitSendError } from "../core/errors/send-error";
import { ApptuitValidationError } from "../core/errors/validation-error";
import { createSanitizer, sanitizeTagKeys } from "../core/sanitize";
import type { DataPoint, Tags } from "../core/types";
import { fromWireTimestamp } from "../core/wire";
import { Aggregator } from "./aggregate/aggregator";
import { fieldsPerKind, SeriesState } from "./aggregate/series-state";
import { createClientSource } from "./client-source";
import type { DeltaRow } from "./compact-v2";
import { createCorsPolicy } from "./cors";
import { RelayError } from "./errors/relay-error";
import { checkJsonDepth } from "./json-depth";
import { readBodyText } from "./limits";
import { wireToMs } from "../core/wire-rules";
import {
  RELAY_DEFAULTS,
  serverTagsOf,
  type AggregateConfig,
  type RelayClient,
  type RelayContext,
  type RelayErrorInfo,
  type RelayHandler,
  type RelayOptions,
} from "./options";
import { pageTags } from "./page-tags";
import { checkContentType, mediaType, parsePayload } from "./payload";
import { prefixCheck } from "./prefixes";
import { clientKeyFor, GLOBAL_KEY, RelayRateLimiter } from "./rate-limit";
import { RelayCounters, type RelayStats } from "./relay-stats";
import { emptyResponse, errorResponse, jsonResponse } from "./responses";
import { STORED_HEADER } from "./stored-header";
import { UpstreamGate } from "./upstream-gate";

const IN_ISOLATE_REFUSAL =
  "createRelay cannot aggregate inside a Cloudflare Workers isolate: many isolates run at once " +
  "and each would write the same series at the same timestamps, overwriting one another. " +
  'Either aggregate in Durable Objects (createWorkersRelay from apptuit/workers with `aggregator: "APPTUIT_AGGREGATOR"`, ' +
  "the binding of the exported ApptuitAggregator class; see docs/durable-objects.md), " +
  "or pass `aggregate: false` to pass every request through to the write API.";

/** Workers identify themselves this way (a web-standard global, so no runtime import). */
function onWorkers(): boolean {
  return (globalThis as { navigator?: { userAgent?: string } }).navigator?.userAgent === "Cloudflare-Workers";
}

export function createRelay(options: RelayOptions = {}): RelayHandler {
  const d = RELAY_DEFAULTS;
  const maxBodyBytes = positive(options.maxBodyBytes, "maxBodyBytes", d.maxBodyBytes);
  const limits = { maxBodyBytes, maxDecodedBytes: positive(options.maxDecodedBytes, "maxDecodedBytes", 16 * maxBodyBytes) };
  const maxPoints = positive(options.maxPoints, "maxPoints", d.maxPoints);
  const maxExpandedBytes = positive(options.maxExpandedBytes, "maxExpandedBytes", d.maxExpandedBytes);
  const cors = createCorsPolicy(options.allowedOrigins, positive(options.corsMaxAge, "corsMaxAge", d.corsMaxAge));
  const limiter = options.rateLimit === false ? undefined : new RelayRateLimiter(options.rateLimit, options.trustProxy);
  const keyOf = clientKeyFor(options.trustProxy);
  const sanitize = createSanitizer(options.clientOptions?.sanitize ?? "prometheus");
  const checkPrefixes = prefixCheck(options.allowedPrefixes, sanitize);
  const clientFor = createClientSource(options);
  const gate = new UpstreamGate(positive(options.maxConcurrentWrites, "maxConcurrentWrites", d.maxConcurrentWrites));
  const pastMs = nonNegative(options.timestampWindow?.pastMs, "timestampWindow.pastMs", d.pastMs);
  const futureMs = nonNegative(options.timestampWindow?.futureMs, "timestampWindow.futureMs", d.futureMs);
  const now = options.now ?? (() => Date.now());
  const counters = new RelayCounters();
  const onError = options.onError === undefined ? logError : options.onError;
  const report = (error: unknown, info: RelayErrorInfo) => {
    try {
      onError?.(error, info);
    } catch {
      // A failing error handler must not turn into a failed response.
    }
  };

  // The client of the latest aggregated request writes the windows (on Workers it comes with the request's env).
  let windowClient: RelayClient | undefined;
  const aggregate = options.aggregate;
  const remote = options.remoteAggregator;
  if (aggregate !== false && remote === undefined && onWorkers()) throw new ApptuitConfigError(IN_ISOLATE_REFUSAL);
  const windowConfig: AggregateConfig = {
    windowMs: positive(aggregate === false ? undefined : aggregate?.windowMs, "aggregate.windowMs", d.windowMs),
    graceMs: nonNegative(aggregate === false ? undefined : aggregate?.graceMs, "aggregate.graceMs", d.graceMs),
    maxBufferedPoints: nonNegative(
      aggregate === false ? undefined : aggregate?.maxBufferedPoints,
      "aggregate.maxBufferedPoints",
      d.maxBufferedPoints,
    ),
    seriesPerWindow: positive(options.budget?.seriesPerWindow, "budget.seriesPerWindow", d.seriesPerWindow),
    newSeriesPerClient: positive(options.budget?.newSeriesPerClient, "budget.newSeriesPerClient", d.newSeriesPerClient),
    writerTags: options.writerTag === undefined ? {} : { writer: options.writerTag },
  };
  const aggregator =
    aggregate === false || remote !== undefined
      ? undefined
      : new Aggregator({
          ...windowConfig,
          counters,
          now,
          write: async (points) => {
            const client = windowClient!;
            try {
              await client.send(points);
            } catch (error) {
              // Refused by the API: sending again cannot help. Count it; keep only what may pass later.
              if (!(error instanceof ApptuitSendError || error instanceof ApptuitValidationError)) throw error;
              counters.dropped += error instanceof ApptuitSendError ? error.failed : points.length;
              report(error, { stage: "upstream", points: points.length });
            }
          },
          onError: (error, points) => report(error, { stage: "upstream", points }),
        });
  // Unset `aggregate` on a serverless platform (a request with `waitUntil`): every isolate would write the same series.
  const aggregates = (context: RelayContext) =>
    aggregate !== false &&
    (remote !== undefined || (aggregator !== undefined && (aggregate !== undefined || context.waitUntil === undefined)));

  async function handle(request: Request, context: RelayContext, headers: Record<string, string>): Promise<Response> {
    const key = limiter?.key(request, context.clientId) ?? keyOf(request, context.clientId) ?? GLOBAL_KEY;
    if (request.method === "OPTIONS") {
      // Preflights cost a request token too: they are requests a client can flood with.
      tooMany(limiter?.takeRequest(key) ?? 0);
      return emptyResponse(204, { ...cors.preflightHeaders(request), Allow: "POST, OPTIONS" });
    }
    if (request.method !== "POST") throw new RelayError(405, "use POST", { headers: { Allow: "POST, OPTIONS" } });

    tooMany(limiter?.takeRequest(key) ?? 0);
    const type = mediaType(request);
    checkContentType(type);
    const text = await readBodyText(request, limits);
    checkJsonDepth(text, d.maxDepth);
    const aggregating = aggregates(context);
    const payload = parsePayload(text, type, { maxPoints, maxExpandedBytes, fieldsPerKind: aggregating ? () => 1 : fieldsPerKind });
    const rows = payload.format === "deltas" ? payload.rows : payload.points;
    if (rows.length === 0) return emptyResponse(204, headers);
    checkTimestamps(rows, now(), pastMs, futureMs);
    checkPrefixes(rows);

    const serverInput = typeof options.tags === "function" ? await options.tags(request, context) : options.tags;
    const serverKeys = new Set(Object.keys(serverInput ?? {}).map(sanitize));
    const server = sanitizeTagKeys(serverTagsOf(serverInput), sanitize);
    const tagsOf = (page: Tags | undefined) => pageTags(page ?? {}, server, serverKeys, sanitize);
    const client = clientFor(context);

    if (payload.format === "deltas" && aggregating) {
      const final = payload.rows.map((row) => ({ ...row, metric: sanitize(row.metric), tags: tagsOf(row.tags) }));
      // The write API's rules (charset, ≤ 25 tags after merging) now, not when the window is written.
      validate(
        client,
        final.map((row) => ({
          metric: row.kind === "sum" || row.kind === "mean" ? row.metric : `${row.metric}.count`,
          tags: row.tags,
          timestamp: Math.floor(now() / 1000),
          value: 0,
        })),
      );
      tooMany(limiter?.takePoints(key, final.length) ?? 0);
      if (remote !== undefined) {
        await remote.accept(final, key, context, windowConfig);
        return emptyResponse(204, headers);
      }
      windowClient = client;
      aggregator!.accept(final, key);
      return emptyResponse(204, headers);
    }

    const points: DataPoint[] =
      payload.format === "deltas"
        ? expand(payload.rows, tagsOf)
        : payload.points.map((row) => ({
            metric: row.metric,
            timestamp: fromWireTimestamp(row.timestamp),
            value: row.value,
            tags: tagsOf(row.tags),
          }));
    const prepared = validate(client, points);
    tooMany(limiter?.takePoints(key, points.length) ?? 0);

    const delivery = gate.run(() => (client.sendPrepared ? client.sendPrepared(prepared) : client.send(points)));
    if (context.waitUntil) {
      context.waitUntil(delivery.catch((error: unknown) => report(error, { stage: "upstream", points: points.length })));
      return emptyResponse(202, headers);
    }
    try {
      await delivery;
      return emptyResponse(204, headers);
    } catch (error) {
      report(error, { stage: "upstream", points: points.length });
      // Only counts go back: upstream bodies and messages stay on the server.
      // With the counts, so that the page's books say how many of its points were stored.
      if (error instanceof ApptuitSendError) {
        const error_ = `the metrics API rejected ${error.failed} of ${error.failed + error.success} points`;
        const stored = { ...headers, [STORED_HEADER]: String(error.success) };
        return jsonResponse(400, { error: error_, success: error.success, failed: error.failed }, stored);
      }
      return errorResponse(502, "upstream write failed", undefined, headers);
    }
  }

  const relay = async function relay(request: Request, context: RelayContext = {}): Promise<Response> {
    if (!cors.allows(request)) {
      counters.refuse("origin");
      return errorResponse(403, "origin not allowed", undefined, { Vary: "Origin" });
    }
    const headers = cors.headers(request);
    try {
      return await handle(request, context, headers);
    } catch (error) {
      if (error instanceof RelayError) {
        counters.refuse(error.reason);
        return errorResponse(error.status, error.message, error.path, { ...headers, ...error.headers });
      }
      const stage = error instanceof ApptuitConfigError ? "config" : "internal";
      report(error, { stage, points: 0 });
      return errorResponse(500, stage === "config" ? "relay is not configured" : "internal error", undefined, headers);
    }
  };
  return Object.assign(relay, {
    flush: () => aggregator?.flush() ?? Promise.resolve(),
    stats: (): RelayStats => ({
      series: aggregator?.series ?? 0,
      windows: aggregator?.written.windows ?? 0,
      points: aggregator?.written.points ?? 0,
      refused: { ...counters.refused },
      late: counters.late,
      dropped: counters.dropped,
      buffered: aggregator?.written.buffered ?? 0,
    }),
  });
}

/** Each writer's deltas as the points a registry of its own would have reported (pass-through). */
function expand(rows: readonly DeltaRow[], tagsOf: (tags: Tags) => Tags): DataPoint[] {
  const out: DataPoint[] = [];
  for (const row of rows) {
    const state = new SeriesState(row.kind, row.metric, tagsOf(row.tags));
    state.merge(row);
    const timestamp = fromWireTimestamp(row.timestamp);
    for (const p of state.fields()) out.push({ metric: p.metric, tags: p.tags, timestamp, value: p.value });
  }
  return out;
}

/** The full write-API rules before anything is sent or held; 400 naming the first bad point. */
function validate(client: RelayClient, points: DataPoint[]) {
  try {
    return client.prepare(points);
  } catch (error) {
    if (!(error instanceof ApptuitValidationError)) throw error;
    const path = error.index < 0 ? undefined : `[${error.index}]${error.path ? `.${error.path}` : ""}`;
    throw new RelayError(400, error.message, { path });
  }
}

/** Points must lie within the accepted window around the relay's clock (400 otherwise). */
function checkTimestamps(rows: ReadonlyArray<{ timestamp: number }>, nowMs: number, pastMs: number, futureMs: number): void {
  rows.forEach((row, i) => {
    const ms = wireToMs(row.timestamp);
    if (ms < nowMs - pastMs || ms > nowMs + futureMs) {
      throw new RelayError(
        400,
        `timestamp ${row.timestamp} is outside the accepted window (${pastMs / 60_000} min back, ${futureMs / 60_000} min ahead)`,
        {
          path: `[${i}].timestamp`,
          reason: "timestamp",
        },
      );
    }
  });
}

function tooMany(retryAfter: number): void {
  if (retryAfter > 0) throw new RelayError(429, "rate limit exceeded", { headers: { "Retry-After": String(retryAfter) } });
}

function positive(value: number | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== "number" || !Number.isInteger(value) || value <= 0) {
    throw new ApptuitConfigError(`${name} must be a positive integer, got ${String(value)}`);
  }
  return value;
}

function nonNegative(value: number | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== "number" || !Number.isInteger(value) || value < 0) {
    throw new ApptuitConfigError(`${name} must be an integer ≥ 0, got ${String(value)}`);
  }
  return value;
}

function logError(error: unknown, info: RelayErrorInfo): void {
  const { name, message } = error instanceof Error ? error : { name: "Error", message: String(error) };
  console.error(`apptuit relay: ${info.stage} error (${info.points} points): ${name}: ${message}`);
}
