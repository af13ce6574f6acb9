/**
 * `createRelay(options)` → a `(request, context?) => Promise<Response>` handler that takes
 * metrics from web pages (which must not hold a token) and forwards them to the write API
 * with the token only the server knows. Web standards only: the same handler runs as a
 * Cloudflare Worker, a Next.js route, `Deno.serve` or a Node server.
 *
 * Answers: 204 preflight / delivered · 202 accepted (with `waitUntil`) · 400 malformed or
 * invalid payload `{error, path?}` · 403 origin or metric prefix not allowed · 405 not POST ·
 * 413 body or point count too large · 415 unsupported content type or encoding ·
 * 429 rate-limited (`Retry-After`) · 500 relay misconfigured · 502 upstream write failed.
 * A refused request forwards nothing; no answer or log line holds the token.
 */
import { ApptuitConfigError } from "../core/errors/config-error";
import { ApptuitSendError } from "../core/errors/send-error";
import { ApptuitValidationError } from "../core/errors/validation-error";
import { mergeTags } from "../core/tags";
import type { DataPoint } from "../core/types";
import { fromWireTimestamp } from "../core/wire";
import { readBodyText } from "./limits";
import { createClientSource } from "./client-source";
import { createCorsPolicy } from "./cors";
import { RelayError } from "./errors/relay-error";
import { RELAY_DEFAULTS, serverTagsOf, type RelayContext, type RelayErrorInfo, type RelayHandler, type RelayOptions } from "./options";
import { checkContentType, mediaType, parsePayload } from "./payload";
import { prefixCheck } from "./prefixes";
import { RelayRateLimiter } from "./rate-limit";
import { emptyResponse, errorResponse, jsonResponse } from "./responses";

export function createRelay(options: RelayOptions = {}): RelayHandler {
  const maxBodyBytes = positive(options.maxBodyBytes, "maxBodyBytes", RELAY_DEFAULTS.maxBodyBytes);
  const limits = { maxBodyBytes, maxDecodedBytes: positive(options.maxDecodedBytes, "maxDecodedBytes", 16 * maxBodyBytes) };
  const maxPoints = positive(options.maxPoints, "maxPoints", RELAY_DEFAULTS.maxPoints);
  const cors = createCorsPolicy(options.allowedOrigins, positive(options.corsMaxAge, "corsMaxAge", RELAY_DEFAULTS.corsMaxAge));
  const limiter = options.rateLimit === false ? undefined : new RelayRateLimiter(options.rateLimit);
  const checkPrefixes = prefixCheck(options.allowedPrefixes);
  const clientFor = createClientSource(options);
  const onError = options.onError === undefined ? logError : options.onError;
  const report = (error: unknown, info: RelayErrorInfo) => {
    try {
      onError?.(error, info);
    } catch {
      // A failing error handler must not turn into a failed response.
    }
  };

  async function handle(request: Request, context: RelayContext, headers: Record<string, string>): Promise<Response> {
    if (request.method === "OPTIONS") return emptyResponse(204, { ...cors.preflightHeaders(request), Allow: "POST, OPTIONS" });
    if (request.method !== "POST") throw new RelayError(405, "use POST", { headers: { Allow: "POST, OPTIONS" } });

    const key = limiter?.key(request, context.clientId);
    tooMany(limiter?.takeRequest(key) ?? 0);
    const type = mediaType(request);
    checkContentType(type);
    const text = await readBodyText(request, limits);
    const { points: rows } = parsePayload(text, type, maxPoints);
    if (rows.length === 0) return emptyResponse(204, headers);
    checkPrefixes(rows);

    const server = serverTagsOf(typeof options.tags === "function" ? await options.tags(request, context) : options.tags);
    const points: DataPoint[] = rows.map((row) => ({
      metric: row.metric,
      timestamp: fromWireTimestamp(row.timestamp),
      value: row.value,
      tags: mergeTags(row.tags, server),
    }));
    const client = clientFor(context);
    let prepared;
    try {
      // The full write-API rules (charset, ≤ 25 tags after merging) before anything is sent.
      prepared = client.prepare(points);
    } catch (error) {
      if (!(error instanceof ApptuitValidationError)) throw error;
      const path = error.index < 0 ? undefined : `[${error.index}]${error.path ? `.${error.path}` : ""}`;
      throw new RelayError(400, error.message, { path });
    }
    tooMany(limiter?.takePoints(key, points.length) ?? 0);

    const delivery = client.sendPrepared ? client.sendPrepared(prepared) : client.send(points);
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
        return jsonResponse(400, { error: error_, success: error.success, failed: error.failed }, headers);
      }
      return errorResponse(502, "upstream write failed", undefined, headers);
    }
  }

  return async function relay(request: Request, context: RelayContext = {}): Promise<Response> {
    if (!cors.allows(request)) return errorResponse(403, "origin not allowed", undefined, { Vary: "Origin" });
    const headers = cors.headers(request);
    try {
      return await handle(request, context, headers);
    } catch (error) {
      if (error instanceof RelayError) return errorResponse(error.status, error.message, error.path, { ...headers, ...error.headers });
      const stage = error instanceof ApptuitConfigError ? "config" : "internal";
      report(error, { stage, points: 0 });
      return errorResponse(500, stage === "config" ? "relay is not configured" : "internal error", undefined, headers);
    }
  };
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

function logError(error: unknown, info: RelayErrorInfo): void {
  const { name, message } = error instanceof Error ? error : { name: "Error", message: String(error) };
  console.error(`apptuit relay: ${info.stage} error (${info.points} points): ${name}: ${message}`);
}
