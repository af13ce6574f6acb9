import type { HttpClient, HttpRequest } from "./http-client";
import type { ResolvedOptions } from "./options";
import { boundedFetch, isFinal } from "./bounded-fetch";
import { RETRY_AFTER_STATUS_CODES, RETRY_STATUS_CODES } from "./http";

/** A non-2xx answer given up on: what `toApptuitError` reads (the same shape as ky's). */
class HTTPError extends Error {
  override name = "HTTPError";
  constructor(readonly response: Response) {
    super(`answered ${response.status}`);
  }
}

/**
 * The client's HTTP layer on the web-standard `fetch` alone, for a page's script tag
 * (docs/browser-page-size.md): the same policy as the ky layer of servers (ky-http.ts) —
 * Bearer token, a timeout per attempt (`AbortSignal.timeout`, covering the body, which
 * `boundedFetch` reads), and retries of network errors, timeouts and `RETRY_STATUS_CODES`
 * with full jitter, sleep = random(0, min(backoffLimit, delay(attempt))), or the server's
 * `Retry-After` (at most `maxRetryAfter`) for `RETRY_AFTER_STATUS_CODES`. A redirect or an
 * oversized body is final.
 */
export function fetchHttp(options: ResolvedOptions): HttpClient {
  const { retry, token, timeout } = options;
  const customFetch = options.fetch;
  // Looked up at call time, so that a fetch installed after the client (a test's) is used.
  const send = boundedFetch((input, init) => (customFetch ?? globalThis.fetch)(input, init), options.maxResponseBytes, token);
  const request = async (method: string, url: string, r: HttpRequest): Promise<Response> => {
    const query = typeof r.searchParams === "string" ? r.searchParams : new URLSearchParams(r.searchParams).toString();
    const target = query ? `${url}?${query}` : url;
    // A backend without auth (VictoriaMetrics, Prometheus) gets no Authorization header.
    const headers = token ? { ...r.headers, authorization: `Bearer ${token}` } : r.headers;
    for (let attempt = 1; ; attempt++) {
      let wait: number | undefined;
      try {
        const signal = r.signal ? AbortSignal.any([r.signal, AbortSignal.timeout(timeout)]) : AbortSignal.timeout(timeout);
        const response = await send(target, { method, body: r.body ?? null, headers, redirect: r.redirect ?? "follow", signal });
        if (response.ok) return response;
        const error = new HTTPError(response);
        if (!RETRY_STATUS_CODES.includes(response.status) || attempt > retry.limit) throw error;
        const after = response.headers.get("retry-after"); // whole seconds, normalised by boundedFetch
        if (after !== null && RETRY_AFTER_STATUS_CODES.includes(response.status))
          wait = Math.min(Number(after) * 1000, retry.maxRetryAfter);
      } catch (error) {
        if (error instanceof HTTPError || isFinal(error) || r.signal?.aborted || attempt > retry.limit) throw error;
      }
      await sleep(wait ?? Math.random() * Math.min(retry.backoffLimit, retry.delay(attempt)), r.signal);
    }
  };
  return { get: (url, r) => request("GET", url, r), post: (url, r) => request("POST", url, r) };
}

/** Resolves after `ms`; rejects at once when `signal` aborts. */
function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const done = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", done);
      resolve();
    }, ms);
    signal?.addEventListener("abort", done, { once: true });
  });
}
