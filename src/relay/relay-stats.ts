/** What `handler.stats()` answers (docs/aggregation.md). */
export interface RelayStats {
  /** Series held in open windows now. */
  series: number;
  /** Windows written upstream so far. */
  windows: number;
  /** Points written upstream from windows (meta points included). */
  points: number;
  /** Requests refused, by reason (`series_budget`, `too_large`, `rate_limited`, …). */
  refused: Record<string, number>;
  /** Deltas that arrived after their window was written (folded into the current one). */
  late: number;
  /** Points given up because the buffer of failed writes was full. */
  dropped: number;
  /** Points of failed writes waiting for the next window's write. */
  buffered: number;
}

/** Running counts shared by the handler (refusals) and the aggregator (everything else). */
export class RelayCounters {
  readonly refused: Record<string, number> = {};
  late = 0;
  dropped = 0;

  refuse(reason: string): void {
    this.refused[reason] = (this.refused[reason] ?? 0) + 1;
  }
}
