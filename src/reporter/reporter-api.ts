import type { FlushResult, ReporterStats } from "./flush-result";

/**
 * What every running reporter offers, whichever runtime built it: the general
 * `ApptuitReporter` (servers, edge isolates) and a page's own smaller reporter (relay and
 * direct mode, docs/browser-page-size.md). Handles type their `reporter` with this,
 * so code that flushes or reads the books never depends on which one it got.
 */
export interface Reporter {
  /** Flushes every interval from now on; calling it again does nothing. */
  start(): unknown;
  /** Stops the timer, then flushes what is left. */
  stop(): Promise<FlushResult>;
  /** Collects and sends now; never rejects (failures are in the result). */
  flush(): Promise<FlushResult>;
  /** The books: `recorded = delivered + rejected + dropped + buffered + inFlight`. */
  stats(): ReporterStats;
}
