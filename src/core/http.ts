import * as v from "valibot";
import { isTimeout, statusErrorResponse } from "./http-client";
import { ApptuitError } from "./errors/apptuit-error";
import { ApptuitAbortError } from "./errors/abort-error";
import { ApptuitAuthError } from "./errors/auth-error";
import { ApptuitHttpError } from "./errors/http-error";
import { ApptuitNetworkError } from "./errors/network-error";
import { parseRetryAfter } from "./retry-after";
import { quoteServerText, redact } from "./redact";

// The client's HTTP layers: ky on servers (ky-http.ts), `fetch` alone on pages (fetch-http.ts).

/** Statuses retried with backoff. Not 413: the sender splits the batch instead. */
export const RETRY_STATUS_CODES = [408, 429, 500, 502, 503, 504];
/** Statuses whose `Retry-After` (seconds or HTTP date) is waited for instead of backing off. */
export const RETRY_AFTER_STATUS_CODES = [429, 503];

export { parseRetryAfter } from "./retry-after";

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
 * Maps whatever an HTTP layer's call threw into an `ApptuitError`. ky's own errors hold the
 * Request (with its Authorization header), so they are never attached as `cause`.
 */
export async function toApptuitError(error: unknown, ctx: RequestContext): Promise<ApptuitError> {
  if (error instanceof ApptuitError) return error;
  const what = `${ctx.method} ${ctx.url}`;
  if (ctx.signal?.aborted) {
    return new ApptuitAbortError(`${what} was aborted by the caller's AbortSignal`, { cause: ctx.signal.reason });
  }
  const response = statusErrorResponse(error);
  if (response !== undefined) {
    const { status } = response;
    const statusText = redact(response.statusText, ctx.token);
    const text = await readBody(response);
    let parsedBody: unknown;
    try {
      parsedBody = JSON.parse(text);
    } catch {
      parsedBody = undefined;
    }
    const parsed = v.safeParse(ErrorBodySchema, parsedBody);
    // Decoded strings, redacted: the server's words go into the message, never the token.
    const prom = parsed.success
      ? {
          error: redact(parsed.output.error, ctx.token),
          errorType: parsed.output.errorType === undefined ? undefined : redact(parsed.output.errorType, ctx.token),
        }
      : undefined;
    const quoted = quoteServerText(text, ctx.token, BODY_SNIPPET);
    const detail = prom ? `: ${prom.errorType ? `${prom.errorType}: ` : ""}${prom.error}` : quoted ? `: ${quoted}` : "";
    const retryAfter = parseRetryAfter(response.headers.get("retry-after"));
    const details = {
      statusCode: status,
      ...(retryAfter === undefined ? {} : { retryAfter }),
      ...(prom ? { error: prom.error, ...(prom.errorType ? { errorType: prom.errorType } : {}) } : {}),
    };
    if (status === 401 || status === 403) {
      return new ApptuitAuthError(
        `${what} answered ${status} ${statusText}: the API token was refused (check token and permissions)${detail}`,
        details,
      );
    }
    return new ApptuitHttpError(`${what} answered ${status} ${statusText}${detail}`, details);
  }
  if (isTimeout(error)) {
    return new ApptuitNetworkError(`${what} timed out after ${ctx.timeout} ms (last attempt)`, { timedOut: true });
  }
  const reason = error instanceof Error ? error.message : String(error);
  return new ApptuitNetworkError(`${what} failed: ${quoteServerText(reason, ctx.token)}`, { cause: error });
}
