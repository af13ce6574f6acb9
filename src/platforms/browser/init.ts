import type { ApptuitClient } from "../../core/client-base";
import { ApptuitConfigError } from "../../core/errors/config-error";
import type { DirectMode } from "./direct-mode";
import { watchPageHide } from "./lifecycle";
import type { BrowserHandle, BrowserInitOptions, PageMetrics } from "./options";
import { pageReporter, type PageReporter } from "./page-reporter";
import { KeepaliveQuota } from "./quota";
import { pagePoints } from "./page-points";
import { relayDelivery } from "./relay-sender";
import type { RuntimeMetrics } from "./runtime-metrics";
import type { RuntimeModule } from "./runtime-start";
import { pageStorage, UNLOAD_UNCONFIRMED, UnloadLedger } from "./unload-ledger";
import { flushPage } from "./urgent-flush";
import { beaconChannel } from "./urgent-channel";
import { createYielder } from "./yield";
import { checkNoTopLevelClientOptions } from "../shared/init-options";

/** Points prepared or encoded between two checks of the time budget. */
const SLICE_POINTS = 256;
/** Longest stretch of flush work before the main thread is given back, ms. */
const SLICE_BUDGET_MS = 3;

/** What differs between the entries of `init()`. */
export interface BrowserModes<R extends PageMetrics> {
  /** A new registry when `options.registry` is not given: the full one, or a relay page's `PageRegistry`. */
  registry(): R;
  /**
   * The runtime metrics with `web-vitals`, loaded only with `runtimeMetrics`: a dynamic
   * import in the ESM entries, dist/apptuit-vitals.iife.js for the script tags.
   */
  runtime(): Promise<RuntimeModule>;
  /** Direct mode (`endpoint` + `token`); absent from the relay-only entry, which then never carries the client. */
  direct?: DirectMode;
}

/** The body of `init()`. */
export function initBrowser<R extends PageMetrics>(options: BrowserInitOptions<R>, load: BrowserModes<R>): BrowserHandle<R> {
  const { relayUrl, token } = options;
  if (relayUrl !== undefined && token !== undefined) {
    throw new ApptuitConfigError("give either relayUrl (the token stays on the server) or endpoint + token, not both");
  }
  if (relayUrl === undefined && token === undefined) {
    throw new ApptuitConfigError('init() needs relayUrl (recommended, e.g. "/apptuit") or endpoint + token');
  }
  const registry = options.registry ?? load.registry();
  const quota = new KeepaliveQuota();
  checkNoTopLevelClientOptions(options);
  const timeout = options.clientOptions?.timeout ?? 10_000;
  const limits = { maxBodyBytes: options.maxBodyBytes ?? 65_536, maxPoints: options.maxPointsPerRequest ?? 5_000, timeout };
  const globalTags = options.globalTags ?? { runtime: "browser" };
  const pause = createYielder(SLICE_BUDGET_MS);

  // Points an earlier page of this origin handed to requests it did not live to see answered.
  const ledger = new UnloadLedger(pageStorage());
  let client: ApptuitClient | undefined;
  let reporter: Pick<PageReporter, "start" | "stop" | "flush" | "stats">;
  /** The page-hide flush of the mode's reporter, sender and channel. */
  let flushOnHide: () => void;
  if (relayUrl !== undefined) {
    const relay = {
      prepareValid: pagePoints(globalTags),
      deliver: relayDelivery({
        url: relayUrl,
        globalTags,
        ...limits,
        quota,
        yield: pause,
        sliceSize: SLICE_POINTS,
        fetch: options.clientOptions?.fetch,
      }),
    };
    const channel = beaconChannel(relayUrl, quota, limits);
    // A relay merges every tab's kinds and deltas into one write per series and window.
    const page = pageReporter({
      registry,
      sender: relay,
      interval: options.interval ?? 10_000,
      retryBuffer: options.retryBuffer,
      sliceSize: SLICE_POINTS,
      yield: pause,
      prefix: options.prefix,
      tags: options.tags,
      onError: options.onError,
    });
    reporter = page;
    flushOnHide = () => flushPage(page, relay, channel, quota, ledger);
  } else {
    if (load.direct === undefined) throw new ApptuitConfigError('relay only: use init from "apptuit/browser" for endpoint + token');
    const direct = load.direct(options, {
      registry,
      quota,
      limits,
      globalTags,
      sliceSize: SLICE_POINTS,
      yield: pause,
    });
    ({ client, reporter } = direct);
    flushOnHide = () => flushPage(direct.reporter, direct.sender, direct.channel, quota, ledger);
  }

  // Checked now and at every hide (then counted in that very flush): a page that has just
  // died may still be within the grace period when the next one starts.
  const reportUnconfirmed = () => {
    const lost = ledger.takeStale(Math.max(UNCONFIRMED_AFTER_MS, 3 * timeout));
    if (lost > 0) registry.counter(UNLOAD_UNCONFIRMED).inc(lost);
  };
  reportUnconfirmed();

  // Started once loaded; long tasks observed before then are still delivered (buffered).
  let runtime: RuntimeMetrics | undefined;
  let stopped = false;
  if (options.runtimeMetrics) {
    load.runtime().then(
      (module) => {
        if (!stopped) runtime = module.startRuntime(registry);
      },
      (error: unknown) => options.onError?.(undefined, 0, 0, [error]),
    );
  }
  // No document (a Web Worker, a process simulating tabs): no page lifecycle to follow.
  const unwatch =
    options.flushOnHide === false || typeof document === "undefined"
      ? () => {}
      : watchPageHide(
          () => {
            runtime?.sync();
            reportUnconfirmed();
            flushOnHide();
          },
          () => ledger.revive(),
        );

  reporter.start();
  let stopping: Promise<void> | undefined;
  return {
    registry,
    reporter,
    ...(client !== undefined && { client }),
    flush: () => reporter.flush(),
    shutdown: () => {
      unwatch();
      stopped = true;
      runtime?.stop();
      return (stopping ??= reporter.stop().then(() => undefined));
    },
  };
}

/**
 * A page's own requests beyond the quota time out after `timeout` (default 10 s); a key
 * older than this (or 3 × timeout) belongs to a page that did not live to settle it.
 */
const UNCONFIRMED_AFTER_MS = 30_000;
