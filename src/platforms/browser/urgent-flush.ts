import { ApptuitHttpError } from "../../core/errors/http-error";
import type { ApptuitReporter } from "../../reporter/reporter";
import type { ReporterSender } from "../../reporter/options";
import { takeFitting } from "./chunk";
import type { KeepaliveQuota } from "./quota";
import type { UrgentChannel } from "./urgent-channel";

export interface UrgentFlushResult {
  /** Points handed to the browser (beacons queued or keepalive requests started). */
  handed: number;
  /** Bodies handed over. */
  bodies: number;
  /** Points that did not fit the quota (or were refused by the browser): back in the retry buffer. */
  kept: number;
}

/**
 * The page-hide flush, synchronous from start to end (nothing after an `await` is sure to
 * run once the page is going away):
 *  1. take the reporter's points now — freshly collected plus the retry buffer — without
 *     waiting for an interval flush in progress (its points stay its own: nothing twice);
 *  2. cut them, oldest first, into bodies of at most min(room left in the 64 KiB keepalive
 *     quota, max body) UTF-8 bytes, counting bytes still in flight from earlier requests;
 *  3. hand each body to the browser; a body it refuses, and everything that no longer fits,
 *     goes back to the retry buffer: sent when the page is visible again, lost (and
 *     uncountable) if it is really closing.
 */
export function flushUrgently(
  reporter: ApptuitReporter,
  preparer: Pick<ReporterSender, "prepare">,
  channel: UrgentChannel,
  quota: KeepaliveQuota,
): UrgentFlushResult {
  const drained = reporter.drain(preparer);
  const points = drained.points;
  let offset = 0;
  let bodies = 0;
  while (offset < points.length) {
    const room = Math.min(quota.available, channel.maxBodyBytes);
    const chunk = room > 0 ? takeFitting(points.slice(offset, offset + channel.maxPoints), room, channel.encode) : undefined;
    if (chunk === undefined) break;
    const handed = channel.send(chunk.body, chunk.bytes);
    if (handed === false) break;
    const count = chunk.count;
    const part = points.slice(offset, offset + count);
    offset += count;
    bodies++;
    if (handed === true) {
      drained.delivered(count);
      continue;
    }
    void handed.then(
      (outcome) => {
        if (outcome === true) drained.delivered(count);
        else if (outcome === "refused") drained.rejected(count, new ApptuitHttpError("the write API refused the page-hide flush with a 4xx", { statusCode: 400 }));
        else drained.retry(part);
      },
      () => drained.retry(part),
    );
  }
  const kept = points.length - offset;
  if (kept > 0) drained.retry(points.slice(offset));
  return { handed: offset, bodies, kept };
}
