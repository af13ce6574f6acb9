import type { KeepaliveQuota } from "./quota";
import type { BodyLimits, BodyWriter } from "../../core/body-cutter";
import { compactBody, jsonBody } from "./body-writer";
import { isRetryableStatus, MAX_POINTS_PER_REQUEST } from "../../core/wire-rules";
import { postToRelay } from "./relay-post";
import { spreadPosts } from "./spread-posts";
import { storedCount } from "./stored-count";
import { relayStored } from "./relay-stored";

/** Largest plain-JSON body of a direct-mode request beyond the quota (about 50,000 points). */
const DIRECT_POST_MAX_BYTES = 16 * 1024 * 1024;

/**
 * How the unload flush hands one body to the browser, synchronously. `true`: the browser
 * took it (a queued beacon counts as delivered: nothing would learn otherwise); `false`:
 * refused now; a promise: a keepalive request whose answer (if the page lives to see it)
 * says whether it was stored, or `"refused"` for an answer that makes retrying pointless.
 */
export type HandOff = boolean | Promise<Answer>;

/**
 * A request's answer: stored (`true`), worth a retry (`false`), refused for good
 * (`"refused"`: a 4xx but 408/429, or a redirect), or part stored and the rest refused (a
 * write API's 400 with details, a relay's 400 with counts).
 */
export type Answer = boolean | "refused" | { stored: number; status: number };

export interface UrgentChannel {
  /** A new empty body; bodies are cut in one pass. */
  writer(): BodyWriter;
  maxBodyBytes: number;
  maxPoints: number;
  /** Within the 64 KiB quota: a beacon or keepalive request. */
  send(body: string, bytes: number): HandOff;
  /**
   * Beyond the quota: an ordinary request (no keepalive), best effort — browsers may cancel
   * it when the page goes away. Resolves as `send`'s promise does, if the page lives to see it.
   */
  post?(body: string): Promise<Answer>;
  /**
   * Limits of the next `post` body, when larger than a quota body (direct mode's
   * `spreadPosts`): `left` points still to send, `bytesPerPoint` of the last body cut,
   * `posts` made so far in this flush. Default: the quota body's limits.
   */
  postLimits?(left: number, bytesPerPoint: number, posts: number): BodyLimits;
}

/** The SDK's own channels (kept as a name for what `flushPage` takes). */
export type PageChannel = UrgentChannel;

/** A page's request limits: a body's bytes and points, and the timeout of requests beyond the quota. */
export interface PageLimits extends BodyLimits {
  /** Of the requests beyond the quota, ms. */
  timeout: number;
}

/** Relay mode: a `text/plain` string beacon (no headers needed, no preflight cross-origin). */
export function beaconChannel(url: string, quota: KeepaliveQuota, limits: PageLimits): PageChannel {
  return {
    writer: compactBody,
    maxBodyBytes: limits.maxBodyBytes,
    maxPoints: limits.maxPoints,
    send(body, bytes) {
      let queued = false;
      try {
        queued = navigator.sendBeacon(url, body);
      } catch {
        queued = false;
      }
      if (queued) quota.hold(bytes);
      return queued;
    },
    post: (body) => answer(postToRelay(url, body, false, limits.timeout), relayStored),
  };
}

/**
 * Direct mode: a keepalive `fetch` with the `Authorization` header a beacon cannot carry.
 * The body is plain JSON: gzip (`CompressionStream`) is asynchronous, and work that has
 * not started a request before the page is torn down never does.
 */
export function keepaliveChannel(writeUrl: string, token: string | null, quota: KeepaliveQuota, limits: PageLimits): PageChannel {
  // `null`: a backend without auth, as the page's client was configured — no `Authorization` header.
  const headers: Record<string, string> = token
    ? { authorization: `Bearer ${token}`, "content-type": "application/json" }
    : { "content-type": "application/json" };
  return {
    writer: jsonBody,
    maxBodyBytes: limits.maxBodyBytes,
    maxPoints: limits.maxPoints,
    // The write API takes up to 50,000 points a request: beyond the quota, a few large requests do.
    postLimits: spreadPosts(limits.maxBodyBytes, { maxBodyBytes: DIRECT_POST_MAX_BYTES, maxPoints: MAX_POINTS_PER_REQUEST }),
    send(body, bytes) {
      if (!quota.tryReserve(bytes)) return false;
      let request: Promise<Response>;
      try {
        request = fetch(writeUrl, { method: "POST", body, keepalive: true, headers, redirect: "manual" });
      } catch {
        quota.release(bytes);
        return false;
      }
      const released = request.finally(() => quota.settle(bytes));
      // The quota is released either way; a rejection is the answer `false`.
      return answer(released, storedCount);
    },
    post: (body) =>
      answer(
        fetch(writeUrl, { method: "POST", body, headers, redirect: "manual", signal: AbortSignal.timeout(limits.timeout) }),
        storedCount,
      ),
  };
}

/**
 * A response as a hand-off answer: stored, worth retrying (false), refused for good, or
 * part stored — a 400's count read by the channel's `stored` (the relay's header, the
 * write API's details body); clamped to the part later.
 */
function answer(request: Promise<Response>, stored: (response: Response) => number | Promise<number>): Promise<Answer> {
  return request.then(
    async (response) => {
      const count = response.status === 400 ? await stored(response) : 0;
      // Unread (or read) bodies are cancelled; a body already read is locked, which is caught.
      void response.body?.cancel().catch(() => undefined);
      if (count > 0) return { stored: count, status: 400 };
      if (response.ok) return true;
      // A redirect (not followed: status 0 or 3xx) or a 4xx but 408/429 is an answer; the rest is worth a retry.
      return isRetryableStatus(response.status) ? false : "refused";
    },
    () => false,
  );
}
