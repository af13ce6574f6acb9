import type { BodyLimits } from "../../core/body-cutter";

/**
 * How many ordinary requests beyond the quota go at once, at most (while their limits let
 * bodies grow): a browser opens six connections per host, a few may still carry keepalive
 * requests, and a request queued behind them never starts once the page is gone. Several
 * requests rather than one: navigating away cancels some of them, not all.
 */
const PARALLEL_POSTS = 4;

/**
 * Direct mode's requests beyond the quota (docs/browser-unload.md): the `left` points
 * spread over the parallel requests still to make (`posts` made so far), in bodies of at
 * least a quota body's size (`quotaBodyBytes`) and at most `limits`, sized by the bytes per
 * point of the last body cut. A few large requests start at once; many small ones would
 * queue behind the browser's six connections per host. A relay page has no such limits:
 * its requests beyond the quota are cut like quota bodies, and it never carries this.
 */
export const spreadPosts =
  (quotaBodyBytes: number, limits: BodyLimits) =>
  (left: number, bytesPerPoint: number, posts: number): BodyLimits => ({
    maxBodyBytes: Math.min(
      limits.maxBodyBytes,
      Math.max(quotaBodyBytes, Math.ceil((1.1 * bytesPerPoint * left) / Math.max(1, PARALLEL_POSTS - posts))),
    ),
    maxPoints: limits.maxPoints,
  });
