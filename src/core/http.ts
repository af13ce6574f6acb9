import ky, { type KyInstance, isHTTPError, isTimeoutError } from "ky";
import * as v from "valibot";
import type { ResolvedOptions } from "./options";
import { ApptuitError } from "./errors/apptuit-error";
import { ApptuitAbortError } from "./errors/abort-error";
import { ApptuitAuthError } from "./errors/auth-error";
import { ApptuitHttpError } from "./errors/http-error";
import { ApptuitNetworkError } from "./errors/network-error";

/** Statuses retried with backoff. Not 413: the sender splits the batch instead. */
export const RETRY_STATUS_CODES = [408, 429, 500, 502, 503, 504];
/** Statuses whose `Retry-After` (seconds or HTTP date) ky waits for instead of backing off. */
export const RETRY_AFTER_STATUS_CODES = [429, 503];

/**
 * One ky instance per client: Bearer token, per-attempt timeout, and ky's retry with full
 * jitter — sleep = random(0, min(backoffLimit, delay(attempt))) (SPEC §5) — retrying
 * network errors and timeouts too (puts are idempotent: same series + timestamp overwrites).
 */
export function createHttp(options: ResolvedOptions): KyInstance {
  const { retry } = options;
  const customFetch = options.fetch;
  return ky.create({
    headers: { authorization: `Bearer ${options.token}` },
    timeout: options.timeout,
    throwHttpErrors: true,
    ...(customFetch ? { fetch: (input: RequestInfo | URL, init?: RequestInit) => customFetch(input, init) } : {}),
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
    },
  });
}

/** Removes the token from text that came from elsewhere (a response body) before it goes into a message. */
export function redact(text: string, token: string): string {
  return token ? text.split(token).join("[token]") : text;
}

/** `Retry-After` in seconds (number of seconds, or HTTP date relative to now); undefined if absent/garbled. */
export function parseRetryAfter(header: string | null, now = Date.now()): number | undefined {
  if (header === null || header.trim() === "") return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, seconds);
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(0, Math.ceil((date - now) / 1000));
}

/** Prometheus-style error body; other JSON error bodies just fail this and are quoted instead. */
const ErrorBodySchema = v.object({ errorType: v.optional(v.string()), error: v.string() });

export interface RequestContext {
  method: string;
  /** URL without query string (the query may hold user text; never the token). */
  url: string;
  token: string;
  timeout: number;
  signal: AbortSignal | undefined;
}

const BODY_SNIPPET = 300;

async function readBody(response: Response): Promise<string> {
  try {
    return await response.text();
  } catch {
    return "";
  }
}

/**
 * Maps whatever a ky call threw into an `ApptuitError`. ky's own errors hold the Request
 * (with its Authorization header), so they are never attached as `cause`.
 */
export async function toApptuitError(error: unknown, ctx: RequestContext): Promise<ApptuitError> {
  if (error instanceof ApptuitError) return error;
  const what = `${ctx.method} ${ctx.url}`;
  if (ctx.signal?.aborted) {
    return new ApptuitAbortError(`${what} was aborted by the caller's AbortSignal`, { cause: ctx.signal.reason });
  }
  if (isHTTPError(error)) {
    const { status, statusText } = error.response;
    const text = redact(await readBody(error.response), ctx.token);
    let parsedBody: unknown;
    try {
      parsedBody = JSON.parse(text);
    } catch {
      parsedBody = undefined;
    }
    const prom = v.safeParse(ErrorBodySchema, parsedBody);
    const detail = prom.success
      ? `: ${prom.output.errorType ? `${prom.output.errorType}: ` : ""}${prom.output.error}`
      : text.trim()
        ? `: ${text.trim().slice(0, BODY_SNIPPET)}`
        : "";
    const retryAfter = parseRetryAfter(error.response.headers.get("retry-after"));
    const details = {
      statusCode: status,
      ...(retryAfter === undefined ? {} : { retryAfter }),
      ...(prom.success ? { error: prom.output.error, ...(prom.output.errorType ? { errorType: prom.output.errorType } : {}) } : {}),
    };
    if (status === 401 || status === 403) {
      return new ApptuitAuthError(
        `${what} answered ${status} ${statusText}: the API token was refused (check token and permissions)${detail}`,
        details,
      );
    }
    return new ApptuitHttpError(`${what} answered ${status} ${statusText}${detail}`, details);
  }
  if (isTimeoutError(error)) {
    return new ApptuitNetworkError(`${what} timed out after ${ctx.timeout} ms (last attempt)`, { timedOut: true });
  }
  const reason = error instanceof Error ? error.message : String(error);
  return new ApptuitNetworkError(`${what} failed: ${redact(reason, ctx.token)}`, { cause: error });
}
