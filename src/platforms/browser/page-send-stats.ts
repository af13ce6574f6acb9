import { SDK_TAG } from "../../core/sdk-tag";
import type { Collectable, Tags } from "../../core/types";
import { META, type SendStats } from "../../reporter/meta-metrics";

/** A registry of the page's own kind (the entry's `PageRegistry` or full `MetricsRegistry`), held by the reporter alone. */
export type OwnRegistry = Collectable & {
  counter(name: string, tags?: Tags): { inc(n: number): void };
  timer(name: string, tags?: Tags): { update(value: number): void };
};

/**
 * A relay page reporter's own send stats (docs/browser-page-size.md): four counters and a
 * timer (seconds) in a registry of their own — never the user's, so they never count
 * against its `maxSeries` — collected as deltas with their kind. The relay expands them
 * like any series, into the names the write API's reporters send:
 * `apptuit.reporter.send.{total,successful,failed,dropped}.count` and
 * `apptuit.reporter.send.time.{count,sum,avg,min,max}` (with the timer's other fields).
 */
export function pageSendStats(own: OwnRegistry): SendStats {
  const [total, successful, failed, dropped] = [META.total, META.successful, META.failed, META.dropped].map((name) =>
    own.counter(name, SDK_TAG),
  );
  const time = own.timer(META.time, SDK_TAG);
  return {
    recordSend(ok, notOk, ms) {
      total!.inc(ok + notOk);
      successful!.inc(ok);
      failed!.inc(notOk);
      if (ms !== undefined) time.update(Math.max(0, ms) / 1000);
    },
    recordDropped: (n) => dropped!.inc(n),
    collect: () => own.collect({ form: "deltas" }),
  };
}
