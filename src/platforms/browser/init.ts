import type { ApptuitClient } from "../../core/client-base";
import type { Collectable, Tags } from "../../core/types";
import { watchPageHide } from "./lifecycle";
import type { BrowserHandle, BrowserInitOptions, PageMetrics } from "./options";
import type { PagePreparer, PageReporter } from "./page-reporter";
import type { OwnRegistry } from "./page-send-stats";
import { KeepaliveQuota } from "./quota";
import type { RuntimeMetrics } from "./runtime-metrics";
import type { RuntimeModule } from "./runtime-start";
import { pageStorage, UNLOAD_UNCONFIRMED, UnloadLedger } from "./unload-ledger";
import type { PageChannel, PageLimits } from "./urgent-channel";
import { flushPage } from "./urgent-flush";
import { createYielder } from "./yield";
import { checkNoTopLevelClientOptions } from "../shared/init-options";

/** Points prepared or encoded between two checks of the time budget. */
const SLICE_POINTS = 256;
/** Longest stretch of flush work before the main thread is given back, ms. */
const SLICE_BUDGET_MS = 3;

/** What `init` hands a mode to build its reporter on. */
export interface PageModeContext {
  registry: Collectable;
  /** A new registry of the entry's kind, never the user's: for what the reporter records about itself. */
  ownRegistry: () => OwnRegistry;
  quota: KeepaliveQuota;
  limits: PageLimits;
  globalTags: Tags;
  sliceSize: number;
  yield: () => PromiseLike<void> | void;
}

/**
 * How a page sends (relay-mode.ts, direct-mode.ts, either-mode.ts, direct-only-mode.ts):
 * the reporter, what it prepares and delivers with, the page-hide channel, and direct mode's
 * client. Each entry passes its own, so that the relay-only ones carry neither direct mode
 * nor the choice, and the direct script tag no relay mode.
 */
export type PageMode = (
  options: BrowserInitOptions<PageMetrics>,
  ctx: PageModeContext,
) => { reporter: PageReporter; sender: PagePreparer; channel: PageChannel; client?: ApptuitClient };

/** What differs between the entries of `init()`. */
export interface BrowserModes<R extends PageMetrics> {
  /** A new registry when `options.registry` is not given: the full one, or a relay page's `PageRegistry`. */
  registry(): R & OwnRegistry;
  /**
   * The runtime metrics with `web-vitals`, loaded only with `runtimeMetrics`: a dynamic
   * import in the ESM entries, dist/apptuit-vitals.iife.js for the script tags.
   */
  runtime(): Promise<RuntimeModule>;
  /** Relay mode, direct mode, or the choice between them by the options. */
  mode: PageMode;
}

/** The body of `init()`. */
export function initBrowser<R extends PageMetrics>(options: BrowserInitOptions<R>, load: BrowserModes<R>): BrowserHandle<R> {
  checkNoTopLevelClientOptions(options);
  const registry = options.registry ?? load.registry();
  const quota = new KeepaliveQuota();
  const timeout = options.clientOptions?.timeout ?? 10_000;
  const { reporter, sender, channel, client } = load.mode(options, {
    registry,
    ownRegistry: load.registry,
    quota,
    limits: { maxBodyBytes: options.maxBodyBytes ?? 65_536, maxPoints: options.maxPointsPerRequest ?? 5_000, timeout },
    globalTags: options.globalTags ?? { runtime: "browser" },
    sliceSize: SLICE_POINTS,
    yield: createYielder(SLICE_BUDGET_MS),
  });
  // Points an earlier page of this origin handed to requests it did not live to see answered.
  const ledger = new UnloadLedger(pageStorage());

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
            flushPage(reporter, sender, channel, quota, ledger);
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
