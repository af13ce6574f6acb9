/**
 * Public types of the embedded backend (`apptuit/backend`).
 */

/** One stored OpenTSDB row, as the client sent it (same shape as core's `WirePoint`). */
export interface StoredPoint {
  metric: string;
  /** As received: Unix seconds, or a 13-digit integer of milliseconds. */
  timestamp: number;
  value: number;
  tags: Record<string, string>;
}

export interface BackendOptions {
  /** When set, every request must carry `Authorization: Bearer <token>`; otherwise 401. */
  token?: string;
  /** Most points accepted in one `/api/put` request; more → 413. Default 50,000. */
  maxPoints?: number;
  /** Most body bytes accepted, counted both as sent and after gunzip/inflate; more → 413. Default 32 MiB. */
  maxBodyBytes?: number;
  /** Clock in milliseconds, used when a query has no `end`/`time`. Default `Date.now`. */
  now?: () => number;
  /** Answer CORS preflights and add `Access-Control-Allow-Origin: *` (for pages on another origin). */
  cors?: boolean;
  /** PromQL lookback window in seconds: how old a sample may be and still count at a step. Default 300. */
  lookbackDelta?: number;
}

/** Counters of what the backend has seen since creation or the last `reset()`. */
export interface BackendStats {
  /** Every request, whatever its path or outcome. */
  requests: number;
  /** Requests to `/api/put`. */
  puts: number;
  /** Requests to `/api/query`. */
  queries: number;
  /** Requests to `/api/v1/query_range` and `/api/v1/query`. */
  promQueries: number;
  /** Requests answered with a 4xx or 5xx status. */
  rejected: number;
  /** Points stored. */
  pointsStored: number;
  /** Points refused by per-point validation (listed in a 400 body). */
  pointsFailed: number;
}

/** A canned failure, served instead of the next matching requests (e.g. 503 twice, then normal). */
export interface InjectedFailure {
  status: number;
  /** How many requests get this answer. Default 1. */
  times?: number;
  headers?: Record<string, string>;
  /** JSON body; default `{"error": {"code": status, "message": "injected failure"}}`. */
  body?: unknown;
  /** Only requests whose path ends with this (e.g. "/api/put"). Default: every request. */
  path?: string;
}

export interface Backend {
  /** Serve one request: `/api/put`, `/api/query`, `/api/v1/query_range`, `/api/v1/query` (any path prefix). */
  fetch(request: Request): Promise<Response>;
  /** Every accepted point in arrival order, as sent (copies). */
  points(): StoredPoint[];
  /** Forget all points, counters and injected failures. */
  reset(): void;
  stats(): BackendStats;
  /** Answer the next request(s) with a given status instead of serving them. */
  failNext(failure: InjectedFailure): void;
}
