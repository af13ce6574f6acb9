import { ApptuitHttpError } from "../../core/errors/http-error";
import type { WirePoint } from "../../core/wire";
import type { DrainedPoints } from "../../reporter/drained";
import { cutBody } from "../../core/body-cutter";
import type { KeepaliveQuota } from "./quota";
import type { UnloadLedger } from "./unload-ledger";
import type { Answer, PageChannel } from "./urgent-channel";

export interface UrgentFlushResult {
  /** Points handed to the browser (beacons queued, keepalive or ordinary requests started). */
  handed: number;
  /** Bodies handed over. */
  bodies: number;
  /** Of `handed`, points in ordinary requests beyond the quota (best effort). */
  posted: number;
  /** Points that could not be handed over: back in the retry buffer. */
  kept: number;
}

/**
 * The page-hide flush, synchronous from start to end (nothing after an `await` is sure to
 * run once the page is going away; and a closing page may be killed mid-flush — Chromium
 * allows about half a second — so the cheap, sure steps come first):
 *  1. take the reporter's points now — freshly collected, what a sliced interval flush has
 *     not sent yet, and the retry buffer — oldest first (nothing is taken twice), and note
 *     them all in `ledger` as soon as they are counted (before they are prepared), so that
 *     a page killed at any later step leaves every point it had not handed over counted
 *     for the next page;
 *  2. cut them, in one pass, into bodies of at most min(room left in the 64 KiB keepalive
 *     quota, max body) UTF-8 bytes, counting bytes still in flight from earlier requests,
 *     and hand each to the browser (beacon or keepalive fetch): those points are taken off
 *     the ledger at once, since the browser completes such requests after the page is gone;
 *  3. when the quota is used up (or the browser refuses a body), send the rest as ordinary
 *     requests (`channel.post`, no keepalive): relay mode, bodies of the relay's max body;
 *     direct mode (`postLimits`: `spreadPosts`), the rest spread over a few parallel ones: they arrive if the
 *     browser lets them finish, and count as delivered — and leave the ledger — only on an answer;
 *  4. whatever is left (a point too big for any body, no `post`) goes back to the retry
 *     buffer, and so does a request that fails: sent when the page is visible again (the
 *     ledger then lets go of them), counted by the next page if this one is closing.
 * See docs/browser-unload.md.
 */
export function flushPage<P>(
  reporter: { drain(preparer: P, counted: (points: number) => void): DrainedPoints },
  preparer: P,
  channel: PageChannel,
  quota: KeepaliveQuota,
  ledger?: UnloadLedger,
): UrgentFlushResult {
  let noted = 0;
  const drained = reporter.drain(preparer, (bound) => {
    noted = bound;
    ledger?.add(bound);
  });
  const points = drained.points;
  // Preparing refuses invalid points (rejected, counted): the note now says exactly what is left.
  if (noted > points.length) ledger?.settle(noted - points.length);
  else if (noted < points.length) ledger?.add(points.length - noted);
  const back = (n: number) => ledger?.hold(n);
  /** The next body from `points[offset…]`; undefined when not even its first point fits. */
  const cut = (offset: number, maxBytes: number, maxPoints = channel.maxPoints) => {
    const writer = channel.writer();
    cutBody(points, offset, Math.min(points.length, offset + maxPoints), maxBytes, writer);
    return writer.count === 0 ? undefined : { body: writer.finish(), bytes: writer.bytes, count: writer.count };
  };
  let offset = 0;
  let bodies = 0;
  let bytesPerPoint = 0; // of the last body cut: sizes the posts beyond the quota
  while (offset < points.length) {
    const room = Math.min(quota.available, channel.maxBodyBytes);
    const chunk = room > 0 ? cut(offset, room) : undefined;
    if (chunk === undefined) break;
    bytesPerPoint = chunk.bytes / chunk.count;
    const handed = channel.send(chunk.body, chunk.bytes);
    if (handed === false) break;
    const count = chunk.count;
    const part = points.slice(offset, offset + count);
    offset += count;
    bodies++;
    ledger?.settle(count);
    if (handed === true) drained.delivered(count);
    else
      settleLater(handed, drained, part, (n) => {
        // A keepalive request failed while the page lives: its points are back in the buffer.
        ledger?.add(n);
        back(n);
      });
  }
  let posted = 0;
  let posts = 0;
  while (channel.post !== undefined && offset < points.length) {
    // Direct mode spreads the rest over a few parallel posts (`spreadPosts`); a relay page cuts quota-sized bodies.
    const limits = channel.postLimits?.(points.length - offset, bytesPerPoint, posts) ?? channel;
    const chunk = cut(offset, limits.maxBodyBytes, limits.maxPoints);
    if (chunk === undefined) break;
    bytesPerPoint = chunk.bytes / chunk.count;
    posts++;
    let request: Promise<Answer>;
    try {
      request = channel.post(chunk.body);
    } catch {
      break;
    }
    const count = chunk.count;
    const part = points.slice(offset, offset + count);
    offset += count;
    posted += count;
    bodies++;
    settleLater(request, drained, part, back, () => ledger?.settle(count));
  }
  const kept = points.length - offset;
  if (kept > 0) {
    drained.retry(points.slice(offset));
    back(kept);
  }
  return { handed: offset, bodies, posted, kept };
}

/**
 * A request's answer, if the page lives to see it: stored → delivered, refused → rejected
 * (both then `accounted`), else back to the retry buffer (`retried`).
 */
function settleLater(
  request: Promise<Answer>,
  drained: DrainedPoints,
  part: WirePoint[],
  retried: (count: number) => void,
  accounted?: () => void,
): void {
  const retry = () => {
    drained.retry(part);
    retried(part.length);
  };
  void request.then((outcome) => {
    if (outcome === false) return retry();
    if (outcome === true) drained.delivered(part.length);
    else if (outcome === "refused")
      drained.rejected(part.length, new ApptuitHttpError("the write API refused the page-hide flush with a 4xx", { statusCode: 400 }));
    else {
      // Part stored, the rest refused: the books count each side (the server's count clamped).
      const stored = Math.min(part.length, outcome.stored);
      if (stored > 0) drained.delivered(stored);
      const refused = part.length - stored;
      if (refused > 0)
        drained.rejected(
          refused,
          new ApptuitHttpError(`the write API refused ${refused} point(s) of the page-hide flush`, { statusCode: outcome.status }),
        );
    }
    accounted?.();
  }, retry);
}
