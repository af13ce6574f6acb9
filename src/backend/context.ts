import type { Store } from "./store";
import type { BackendStats } from "./types";

/** What every route handler gets: the store, resolved options and the counters. */
export interface BackendContext {
  store: Store;
  stats: BackendStats;
  maxPoints: number;
  maxBodyBytes: number;
  lookbackDelta: number;
  now: () => number;
}

export function emptyStats(): BackendStats {
  return { requests: 0, puts: 0, queries: 0, promQueries: 0, rejected: 0, pointsStored: 0, pointsFailed: 0 };
}
