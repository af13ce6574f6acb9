/** What one `flush()` did, point for point. */
export interface FlushResult {
  /** Points produced by this flush: the registry's points plus the reporter's meta points. */
  recorded: number;
  /** Points taken from the retry buffer (failed in an earlier flush) and sent again. */
  retried: number;
  /** Points the server stored in this flush. */
  delivered: number;
  /** Points given up and reported to the error handler: invalid, rejected by a 400, or refused by 401/403. */
  rejected: number;
  /** Points evicted from the full retry buffer in this flush (oldest first). */
  dropped: number;
  /** Points waiting in the retry buffer after this flush. */
  buffered: number;
  /** Requests the sender made for this flush (it cuts them: the client by `maxPointsPerRequest`), the failed one included. */
  requests: number;
  /** True when every point of this flush was delivered and nothing failed. */
  ok: boolean;
  /** The errors of this flush, as passed to the error handler. */
  errors: unknown[];
}

/** A result before anything happened (`ok` until something fails). */
export function emptyFlushResult(): FlushResult {
  return { recorded: 0, retried: 0, delivered: 0, rejected: 0, dropped: 0, buffered: 0, requests: 0, ok: true, errors: [] };
}

/**
 * Running totals since the reporter was created. At every moment
 * `recorded === delivered + rejected + dropped + buffered + inFlight`;
 * between flushes `inFlight` is 0.
 */
export interface ReporterStats {
  recorded: number;
  delivered: number;
  rejected: number;
  dropped: number;
  buffered: number;
  /** Points taken out for the flush that is running now. */
  inFlight: number;
  /** Flushes completed. */
  flushes: number;
}
