/**
 * What the client asks of its HTTP layer: a GET or POST with the client's auth, per-attempt
 * timeout and retries, resolving with a 2xx response (its body already read, bounded) and
 * rejecting with the final error — a status error (`name` "HTTPError", with the `response`)
 * for any other answer. Servers use ky (`createHttp`); a page's script tag, `fetchHttp` on
 * the web-standard `fetch` alone (docs/browser-page-size.md).
 */
export interface HttpClient {
  get(url: string, request: HttpRequest): Promise<Response>;
  post(url: string, request: HttpRequest): Promise<Response>;
}

export interface HttpRequest {
  /** A query string without `?`, or its parameters. */
  searchParams?: string | Record<string, string>;
  body?: BodyInit;
  headers?: Record<string, string>;
  redirect?: RequestRedirect;
  signal?: AbortSignal;
}

/** The response of a status error (a non-2xx answer the layer gave up on), else undefined. */
export function statusErrorResponse(error: unknown): Response | undefined {
  const response = (error as { response?: unknown } | null)?.response;
  return error instanceof Error && error.name === "HTTPError" && response instanceof Response ? response : undefined;
}

/** A per-attempt timeout (ky's `TimeoutError`, or the `DOMException` of `AbortSignal.timeout`). */
export function isTimeout(error: unknown): boolean {
  return (error as { name?: unknown } | null)?.name === "TimeoutError";
}
