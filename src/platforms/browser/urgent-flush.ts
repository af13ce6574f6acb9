import { ApptuitHttpError } from "../../core/errors/http-error";
import type { WirePoint } from "../../core/wire";
import type { DrainedPoints } from "../../reporter/drained";
import type { ReporterSender } from "../../reporter/options";
import type { ReporterCore } from "../../reporter/reporter-core";
import { fillBody } from "./body-writer";
import type { KeepaliveQuota } from "./quota";
import type { UnloadLedger } from "./unload-ledger";
import type { PageChannel } from "./urgent-channel";

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
 * How many ordinary requests beyond the quota go at once, at most (while `postLimits` let
 * bodies grow): a browser opens six connections per host, a few may still carry keepalive
 * requests, and a request queued behind them never starts once the page is gone. Several
 * requests rather than one: navigating away cancels some of them, not all.
 */
const PARALLEL_POSTS = 4;

/**
 * The page-hide flush, synchronous from start to end (nothing after an `await` is sure to
 * run once the page is going away):
 *  1. take the reporter's points now — freshly collected, what a sliced interval flush has
 *     not sent yet, and the retry buffer — oldest first (nothing is taken twice);
 *  2. cut them, in one pass, into bodies of at most min(room left in the 64 KiB keepalive
 *     quota, max body) UTF-8 bytes, counting bytes still in flight from earlier requests,
 *     and hand each to the browser (beacon or keepalive fetch);
 *  3. when the quota is used up (or the browser refuses a body), send the rest as ordinary
 *     requests (`channel.post`, no keepalive): relay mode, bodies of the relay's max body;
 *     direct mode (`postLimits`), the rest spread over at most `PARALLEL_POSTS`: they arrive if the
 *     browser lets them finish, and count as delivered only on a 2xx answer. `ledger`
 *     notes their points until answered, for the next page to report if this one dies first;
 *  4. whatever is left (a point too big for any body, no `post`) goes back to the retry
 *     buffer: sent when the page is visible again, lost (and uncountable) if it is closing.
 */
export function flushPage(
  reporter: Pick<ReporterCore, "drain">,
  preparer: Pick<ReporterSender, "prepare">,
  channel: PageChannel,
  quota: KeepaliveQuota,
  ledger?: UnloadLedger,
): UrgentFlushResult {
  const drained = reporter.drain(preparer);
  const points = drained.points;
  const cut = (offset: number, maxBytes: number, maxPoints = channel.maxPoints) => fillBody(points, offset, maxPoints, maxBytes, channel.writer());
  const post = channel.postLimits ?? channel;
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
    if (handed === true) drained.delivered(count);
    else settleLater(handed, drained, part);
  }
  let posted = 0;
  let posts = 0;
  while (channel.post !== undefined && offset < points.length) {
    // Spread the rest over the parallel posts left, in bodies of at least a quota body's size.
    const share = (1.1 * bytesPerPoint * (points.length - offset)) / Math.max(1, PARALLEL_POSTS - posts);
    const chunk = cut(offset, Math.min(post.maxBodyBytes, Math.max(channel.maxBodyBytes, Math.ceil(share))), post.maxPoints);
    if (chunk === undefined) break;
    bytesPerPoint = chunk.bytes / chunk.count;
    posts++;
    ledger?.add(chunk.count);
    let request: Promise<boolean | "refused">;
    try {
      request = channel.post(chunk.body);
    } catch {
      ledger?.settle(chunk.count);
      break;
    }
    const count = chunk.count;
    const part = points.slice(offset, offset + count);
    offset += count;
    posted += count;
    bodies++;
    settleLater(
      request.finally(() => ledger?.settle(count)),
      drained,
      part,
    );
  }
  const kept = points.length - offset;
  if (kept > 0) drained.retry(points.slice(offset));
  return { handed: offset, bodies, posted, kept };
}

/** A request's answer, if the page lives to see it: stored → delivered, refused → rejected, else retried. */
function settleLater(request: Promise<boolean | "refused">, drained: DrainedPoints, part: WirePoint[]): void {
  void request.then(
    (outcome) => {
      if (outcome === true) drained.delivered(part.length);
      else if (outcome === "refused") drained.rejected(part.length, new ApptuitHttpError("the write API refused the page-hide flush with a 4xx", { statusCode: 400 }));
      else drained.retry(part);
    },
    () => drained.retry(part),
  );
}
