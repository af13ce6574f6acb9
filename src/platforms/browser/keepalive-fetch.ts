import type { KeepaliveQuota } from "./quota";

/**
 * A `fetch` for the core client in direct mode: a POST (the gzipped `/api/put` body) goes
 * with `keepalive` when the page's quota has room, so an interval flush under way when the
 * page goes away still arrives. The body is read into bytes first: the quota counts bytes,
 * and keepalive refuses stream bodies.
 */
export function keepaliveFetch(quota: KeepaliveQuota): typeof fetch {
  return async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const request = new Request(input, init);
    if (request.method !== "POST" || request.body === null) return globalThis.fetch(request);
    const body = await request.arrayBuffer();
    const keepalive = quota.tryReserve(body.byteLength);
    try {
      return await globalThis.fetch(request.url, {
        method: request.method,
        headers: request.headers,
        body,
        keepalive,
        signal: request.signal,
        // The client's writes do not follow redirects: keep its choice.
        redirect: request.redirect,
      });
    } finally {
      if (keepalive) quota.settle(body.byteLength);
    }
  };
}
