import type { SanitizeMode, Tags } from "./types";
import type { Env } from "./env";
import { ApptuitConfigError } from "./errors/config-error";
import { tagEntries } from "./tags";
import { MAX_NAME_LENGTH, MAX_POINTS_PER_REQUEST } from "./wire-rules";
import { trimTrailingSlashes } from "./trim-slashes";
import { DEFAULT_MAX_RESPONSE_BYTES } from "./bounded-fetch";

export const DEFAULT_ENDPOINT = "https://api.apptuit.ai";

export interface RetryOptions {
  /** Retries after the first attempt (default 3). */
  limit?: number;
  /** Cap of one backoff sleep in ms before jitter (default 30 000). */
  backoffLimit?: number;
  /** Backoff before retry `attempt` (1-based) in ms, before full jitter (default 300·2^(attempt−1)). */
  delay?: (attempt: number) => number;
  /** Longest `Retry-After` honoured, in ms (default 30 000); longer waits are cut to this. */
  maxRetryAfter?: number;
}

export interface ApptuitOptions {
  /**
   * API token; else `env.APPTUIT_API_TOKEN`. Missing → `ApptuitConfigError`. `null` (or
   * `auth: false`): a backend without auth (VictoriaMetrics, Prometheus), no `Authorization` header.
   */
  token?: string | null;
  /** `false`: send no `Authorization` header (same as `token: null`). */
  auth?: false;
  /**
   * Environment supplied by the caller (the core never reads `process`): Workers `env`,
   * `Deno.env.toObject()`, `process.env`. Read by `Apptuit`; the direct script tag's client
   * (a page has no environment) does not take it.
   */
  env?: Env;
  /** Base URL; else `env.APPTUIT_ENDPOINT`; default `https://api.apptuit.ai`. */
  endpoint?: string;
  /** Base URL of `POST /api/put?details` (default `endpoint`). */
  writeEndpoint?: string;
  /** Base URL of `GET /api/query` (default `endpoint`). */
  queryEndpoint?: string;
  /** Base URL of the Prometheus API (default `${queryEndpoint}/prometheus`). */
  promEndpoint?: string;
  /** Tags on every point; replaces `env.APPTUIT_TAGS` ("k1: v1, k2: v2") when given. */
  globalTags?: Tags;
  /** Name/tag-key rewriting (docs/wire-format.md), default `"prometheus"`. */
  sanitize?: SanitizeMode;
  /** Per-attempt timeout in ms, default 10 000. */
  timeout?: number;
  /** Retry limit, or retry options. Default: 3 retries, full-jitter exponential backoff. */
  retry?: number | RetryOptions;
  /** A `fetch` to use instead of the global one. */
  fetch?: typeof fetch;
  /** Gzip request bodies, default true. */
  compress?: boolean;
  /** Largest response body read (decoded bytes), default 32 MiB; a larger one fails the call. */
  maxResponseBytes?: number;
  /**
   * Points per write request, 1 … 50,000 (default 50,000): `send`, `deliver` and a reporter
   * sending through this client cut their points into requests of at most this many.
   */
  maxPointsPerRequest?: number;
}

export interface ResolvedOptions {
  /** "" when the backend takes no auth. */
  token: string;
  writeEndpoint: string;
  queryEndpoint: string;
  promEndpoint: string;
  globalTags: Tags;
  sanitize: SanitizeMode;
  timeout: number;
  retry: Required<RetryOptions>;
  fetch: typeof fetch | undefined;
  compress: boolean;
  maxResponseBytes: number;
  maxPointsPerRequest: number;
}

const TOKEN_CHARS = /^[\x21-\x7e]+$/; // visible ASCII: anything else cannot go into a header

function endpoint(value: string, option: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ApptuitConfigError(`${option} is not an absolute URL: ${JSON.stringify(value)}`);
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    throw new ApptuitConfigError(`${option} must be an http(s) URL: ${JSON.stringify(value)}`);
  }
  return trimTrailingSlashes(value);
}

function nonNegative(value: number | undefined, option: string, fallback: number, integer = false): number {
  if (value === undefined) return fallback;
  if (typeof value !== "number" || !Number.isFinite(value) || value < 0 || (integer && !Number.isInteger(value))) {
    throw new ApptuitConfigError(`${option} must be a non-negative ${integer ? "integer" : "number"}, got ${String(value)}`);
  }
  return value;
}

function positiveInteger(value: number | undefined, option: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value <= 0) {
    throw new ApptuitConfigError(`${option} must be a positive integer, got ${String(value)}`);
  }
  return value;
}

function pointsPerRequest(value: number | undefined): number {
  const points = positiveInteger(value, "maxPointsPerRequest", MAX_POINTS_PER_REQUEST);
  if (points > MAX_POINTS_PER_REQUEST) {
    throw new ApptuitConfigError(`maxPointsPerRequest must be at most ${MAX_POINTS_PER_REQUEST}, got ${points}`);
  }
  return points;
}

function resolveRetry(retry: ApptuitOptions["retry"]): Required<RetryOptions> {
  const given: RetryOptions = typeof retry === "number" ? { limit: retry } : (retry ?? {});
  if (given.delay !== undefined && typeof given.delay !== "function") {
    throw new ApptuitConfigError("retry.delay must be a function (attempt) => milliseconds");
  }
  return {
    limit: nonNegative(given.limit, "retry.limit", 3, true),
    backoffLimit: nonNegative(given.backoffLimit, "retry.backoffLimit", 30_000),
    delay: given.delay ?? ((attempt) => 300 * 2 ** (attempt - 1)),
    maxRetryAfter: nonNegative(given.maxRetryAfter, "retry.maxRetryAfter", 30_000),
  };
}

function resolveGlobalTags(options: ApptuitOptions): Tags {
  const tags = options.globalTags;
  if (tags === undefined) return {};
  if (typeof tags !== "object" || tags === null) throw new ApptuitConfigError("globalTags must be an object of tags");
  for (const [key, value] of tagEntries(tags)) {
    if (typeof value !== "string" || value === "") {
      throw new ApptuitConfigError(`globalTags: tag ${JSON.stringify(key)} must have a non-empty string value`);
    }
  }
  return checkTagLengths(tags, "globalTags");
}

/** Global tags longer than `MAX_NAME_LENGTH` would make every point invalid: refuse them at construction. */
export function checkTagLengths(tags: Tags, source: string): Tags {
  for (const [key, value] of tagEntries(tags)) {
    if (key.length > MAX_NAME_LENGTH || value.length > MAX_NAME_LENGTH) {
      throw new ApptuitConfigError(`${source}: tag ${JSON.stringify(key.slice(0, 40))} is longer than ${MAX_NAME_LENGTH} characters`);
    }
  }
  return tags;
}

/**
 * Applies defaults; throws `ApptuitConfigError` on anything unusable. `env` is not read
 * here: the servers' client applies it first (`withEnv`, env.ts), a page has none.
 */
export function resolveOptions(options: ApptuitOptions = {}): ResolvedOptions {
  const noAuth = options.token === null || options.auth === false;
  const token = noAuth ? "" : options.token;
  if (!token && !noAuth) {
    throw new ApptuitConfigError("No API token: pass `token` to new Apptuit({ token }) or an `env` with APPTUIT_API_TOKEN");
  }
  if (typeof token !== "string" || (!noAuth && !TOKEN_CHARS.test(token))) {
    throw new ApptuitConfigError("The API token must be a string of visible ASCII characters (no spaces or newlines)");
  }
  const base = endpoint(options.endpoint ?? DEFAULT_ENDPOINT, "endpoint");
  const queryEndpoint = options.queryEndpoint ? endpoint(options.queryEndpoint, "queryEndpoint") : base;
  const sanitize = options.sanitize ?? "prometheus";
  if (sanitize !== "prometheus" && sanitize !== "apptuit" && sanitize !== false) {
    throw new ApptuitConfigError(`sanitize must be "prometheus", "apptuit" or false, got ${JSON.stringify(sanitize)}`);
  }
  if (options.fetch !== undefined && typeof options.fetch !== "function") {
    throw new ApptuitConfigError("fetch must be a function");
  }
  const timeout = nonNegative(options.timeout, "timeout", 10_000);
  // setTimeout's ceiling (ky refuses more).
  if (timeout === 0 || timeout > 2_147_483_647) throw new ApptuitConfigError("timeout must be between 1 and 2147483647 ms");
  return {
    token,
    writeEndpoint: options.writeEndpoint ? endpoint(options.writeEndpoint, "writeEndpoint") : base,
    queryEndpoint,
    promEndpoint: options.promEndpoint ? endpoint(options.promEndpoint, "promEndpoint") : `${queryEndpoint}/prometheus`,
    globalTags: resolveGlobalTags(options),
    sanitize,
    timeout,
    retry: resolveRetry(options.retry),
    fetch: options.fetch,
    compress: options.compress ?? true,
    maxResponseBytes: positiveInteger(options.maxResponseBytes, "maxResponseBytes", DEFAULT_MAX_RESPONSE_BYTES),
    maxPointsPerRequest: pointsPerRequest(options.maxPointsPerRequest),
  };
}
