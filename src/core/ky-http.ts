import ky, { type KyInstance } from "ky";
import type { ResolvedOptions } from "./options";
import { boundedFetch, isFinal } from "./bounded-fetch";
import { RETRY_AFTER_STATUS_CODES, RETRY_STATUS_CODES } from "./http";

/**
 * One ky instance per client: Bearer token, per-attempt timeout, and ky's retry with full
 * jitter — sleep = random(0, min(backoffLimit, delay(attempt))) (docs/metrics.md) — retrying
 * network errors and timeouts too (puts are idempotent: same series + timestamp overwrites).
 */
export function createHttp(options: ResolvedOptions): KyInstance {
  const { retry } = options;
  const customFetch = options.fetch;
  // Looked up at call time, so that a fetch installed after the client (a test's) is used.
  const inner: typeof fetch = (input, init) => (customFetch ?? globalThis.fetch)(input, init);
  return ky.create({
    // A backend without auth (VictoriaMetrics, Prometheus) gets no Authorization header.
    headers: options.token ? { authorization: `Bearer ${options.token}` } : {},
    timeout: options.timeout,
    throwHttpErrors: true,
    fetch: boundedFetch(inner, options.maxResponseBytes, options.token),
    retry: {
      limit: retry.limit,
      methods: ["get", "post"],
      statusCodes: RETRY_STATUS_CODES,
      afterStatusCodes: RETRY_AFTER_STATUS_CODES,
      backoffLimit: retry.backoffLimit,
      delay: (attempt) => Math.min(retry.backoffLimit, retry.delay(attempt)),
      jitter: true,
      maxRetryAfter: retry.maxRetryAfter,
      retryOnTimeout: true,
      // A redirect or an oversized body is an answer: asking again gets the same one.
      shouldRetry: ({ error }) => (isFinal(error) ? false : undefined),
    },
  });
}
