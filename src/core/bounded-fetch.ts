import { ApptuitHttpError } from "./errors/http-error";
import { ApptuitResponseError } from "./errors/response-error";
import { redact } from "./redact";
import { parseRetryAfter } from "./retry-after";
import { readAtMost } from "./read-at-most";

/** Largest response body read, decoded (after gzip), by default: 32 MiB. */
export const DEFAULT_MAX_RESPONSE_BYTES = 32 * 1024 * 1024;

/** Headers ky would read a wait from; only a strictly valid `Retry-After` is kept. */
const WAIT_HEADERS = ["retry-after", "ratelimit-reset", "x-ratelimit-retry-after", "x-ratelimit-reset", "x-rate-limit-reset"];

/**
 * The `fetch` under the client's HTTP layer. Each attempt's promise settles only once the
 * whole body is read, so the per-attempt `timeout` covers the body too (a server sending a
 * byte every few seconds cannot hold a call open), and the body is read up to `maxBytes`
 * decoded bytes (a gzip bomb is cut off, not inflated). A redirect is an error naming its
 * target (writes ask for `redirect: "manual"`), and the wait headers are normalised.
 * Errors thrown here are final: the HTTP layer does not retry them.
 */
export function boundedFetch(inner: typeof fetch, maxBytes: number, token: string): typeof fetch {
  return async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const response = await inner(input, init);
    const method = input instanceof Request ? input.method : (init?.method ?? "GET");
    const url = (input instanceof Request ? input.url : String(input)).split("?")[0]!;
    if (response.type === "opaqueredirect" || (response.status >= 300 && response.status < 400)) {
      await response.body?.cancel().catch(() => undefined);
      const target = response.headers.get("location");
      const named = target ? ` to ${redact(target.split("?")[0]!, token).slice(0, 300)}` : "";
      throw new ApptuitHttpError(`${method} ${url} was redirected (${response.status || "3xx"})${named}: writes do not follow redirects`, {
        statusCode: response.status,
      });
    }
    // Statuses without a body (204, 205, 304) cannot be rebuilt with one, even empty; and a
    // write's 2xx says all there is to say (its body may be anything: never read).
    const unread = NULL_BODY.has(response.status) || (method !== "GET" && response.ok);
    const body = unread ? null : await readCapped(response, maxBytes, `${method} ${url}`);
    if (body === null) await response.body?.cancel().catch(() => undefined);
    const headers = new Headers(response.headers);
    headers.delete("content-encoding");
    headers.delete("content-length");
    const wait = parseRetryAfter(headers.get("retry-after"));
    for (const name of WAIT_HEADERS) headers.delete(name);
    if (wait !== undefined) headers.set("retry-after", String(wait));
    return new Response(body, { status: response.status, statusText: response.statusText, headers });
  };
}

const NULL_BODY = new Set([101, 103, 204, 205, 304]);

/** Final errors of `boundedFetch` (not retried). */
export function isFinal(error: unknown): boolean {
  return error instanceof ApptuitHttpError || error instanceof ApptuitResponseError;
}

/** Reads a body into bytes, failing (`ApptuitResponseError`) beyond `maxBytes` decoded bytes. */
export async function readCapped(response: Response, maxBytes: number, what: string): Promise<Uint8Array<ArrayBuffer> | null> {
  if (response.body === null) return null;
  const bytes = await readAtMost(response.body, maxBytes);
  if (bytes === undefined) {
    throw new ApptuitResponseError(`${what}: the response body is larger than ${maxBytes} bytes (maxResponseBytes)`, {
      statusCode: response.status,
      issues: [{ path: "", message: `larger than ${maxBytes} bytes` }],
    });
  }
  return bytes;
}
