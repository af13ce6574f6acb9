import type { ApptuitOptions } from "../core/options";
import type { SendResult } from "../core/send";
import type { DataPoint, Tags } from "../core/types";
import type { WirePoint } from "../core/wire";
import type { DeltaRow } from "./compact-v2";
import type { OriginRule } from "./cors";
import type { RateLimitOptions, TrustProxy } from "./rate-limit";
import type { RelayStats } from "./relay-stats";

/** What the platform hands the relay with each request (all optional). */
export interface RelayContext {
  /** Keeps the runtime alive after the response (Workers `ctx`, Next.js `event`). */
  waitUntil?(promise: Promise<unknown>): void;
  /** Environment: Workers bindings, `Deno.env.toObject()`, `process.env`. Only strings are read. */
  env?: Record<string, unknown>;
  /** The client's address as the platform knows it (Node socket, Deno `remoteAddr`): the rate-limit key. */
  clientId?: string;
  /**
   * Whatever else the platform passes as a handler's second argument (a Next.js route's
   * `{ params }`, Deno's `info`) is ignored, so `export { relay as POST }` type-checks.
   */
  [other: string]: unknown;
}

/** The relay: a fetch-style handler, plus its aggregation state's controls. */
export type RelayHandler = ((request: Request, context?: RelayContext) => Promise<Response>) & {
  /** Writes every open window now (shutdown, tests); resolves once the writes are done. */
  flush(): Promise<void>;
  /** Series held, windows and points written, refusals by reason, late deltas, drops. */
  stats(): RelayStats;
};

/** In-process aggregation of compact v2 deltas (docs/aggregation.md). */
export interface AggregateOptions {
  /** Window length, ms; windows are aligned to wall-clock multiples of it. Default 10,000. */
  windowMs?: number;
  /** How long after a window ends late beacons still join it, ms. Default 2,000. */
  graceMs?: number;
  /** Points of failed window writes kept for the next write. Default 100,000; past it the oldest are dropped and counted. */
  maxBufferedPoints?: number;
}

/** The aggregation settings a relay resolved from its options, as a remote aggregator receives them. */
export interface AggregateConfig {
  windowMs: number;
  graceMs: number;
  maxBufferedPoints: number;
  seriesPerWindow: number;
  newSeriesPerClient: number;
  writerTags: Tags;
}

/**
 * Merges deltas somewhere other than this process (apptuit/workers' Durable Objects).
 * `accept` resolves once the rows are durably in the aggregation state, and throws a
 * `RelayError` when they were refused (nothing taken).
 */
export interface RemoteAggregator {
  accept(rows: DeltaRow[], client: string, context: RelayContext, config: AggregateConfig): Promise<void>;
}

/** Bounds on what clients may make the relay hold and write (docs/aggregation.md). */
export interface BudgetOptions {
  /** Distinct series in one window, all clients together. Default 50,000. More → 429. */
  seriesPerWindow?: number;
  /** Series one client may add to one window. Default 5,000. More → 429. */
  newSeriesPerClient?: number;
}

/** The part of core's `Apptuit` the relay uses (pass a ready client, or a fake in tests). */
export interface RelayClient {
  prepare(points: DataPoint[]): WirePoint[];
  send(points: DataPoint[], options?: { signal?: AbortSignal }): Promise<SendResult>;
  /** Sends points that went through `prepare` without validating again (used when present). */
  sendPrepared?(points: WirePoint[], options?: { signal?: AbortSignal }): Promise<SendResult>;
}

/** Server-side tags: absent values are skipped (e.g. no `request.cf` outside Workers). */
export type ServerTags = Record<string, string | undefined>;

/** A request as Workers hand it over: `request.cf` carries country, colo and more. */
export type RelayRequest = Request & {
  cf?: { country?: string; colo?: string; city?: string; region?: string; continent?: string; asn?: number; [key: string]: unknown };
};

export interface RelayErrorInfo {
  /** `"upstream"`: the write failed; `"config"`: no usable token/endpoint; `"internal"`: a bug. */
  stage: "upstream" | "config" | "internal";
  /** Points concerned. */
  points: number;
}

export interface RelayOptions {
  /** API token; else `APPTUIT_API_TOKEN` from `env` (here or per request). */
  token?: string;
  /** API base URL; else `APPTUIT_ENDPOINT` from `env`; default `https://api.apptuit.ai`. */
  endpoint?: string;
  /** Base URL of `/api/put` when it differs from `endpoint`. */
  writeEndpoint?: string;
  /** Environment read when `token`/`endpoint` are not given; per-request `context.env` also works. */
  env?: Record<string, unknown>;
  /** A ready client (takes precedence over token/endpoint/env). */
  client?: RelayClient;
  /** More options for the client the relay builds (retry, timeout, sanitize, globalTags, fetch…). */
  clientOptions?: Omit<ApptuitOptions, "token" | "env" | "endpoint" | "writeEndpoint">;
  /**
   * Page origins allowed to post (exact origins, RegExps, or predicates). Requests without
   * `Origin` and same-origin requests are always allowed; `"*"` is refused.
   */
  allowedOrigins?: OriginRule[];
  /** Most body bytes as sent (default 65,536: one beacon). More → 413. */
  maxBodyBytes?: number;
  /** Most body bytes after gzip/deflate is undone (default 16 × `maxBodyBytes`). More → 413. */
  maxDecodedBytes?: number;
  /** Most points in one request (default 5,000). More → 413. */
  maxPoints?: number;
  /** Metric name prefixes a page may write (checked on the names as sent). Others → 403. */
  allowedPrefixes?: string[];
  /**
   * Tags the page cannot forge: they override the page's tags with the same key.
   * E.g. `(request) => ({ country: request.cf?.country, colo: request.cf?.colo })` on Workers.
   */
  tags?: ServerTags | ((request: RelayRequest, context: RelayContext) => ServerTags | undefined | Promise<ServerTags | undefined>);
  /** Per-client token buckets (see rate-limit.ts for the guarantees); `false` disables. */
  rateLimit?: RateLimitOptions | false;
  /** `Access-Control-Max-Age` of preflight answers, in seconds (default 86,400). */
  corsMaxAge?: number;
  /**
   * Called when a write fails upstream or the relay is misconfigured (never for a refused
   * request: those are the page's problem and answered with a status). Default: one
   * `console.error` line with the error's name and message (which never hold the token);
   * `null` silences it.
   */
  onError?: ((error: unknown, info: RelayErrorInfo) => void) | null;
  /**
   * Merge compact v2 deltas from every page into one write per series per window (default
   * `{ windowMs: 10_000 }`), or `false` to pass every request through. Left unset, a request
   * that comes with `context.waitUntil` (a Workers isolate, an edge function: one of many
   * short-lived instances, which must not each write the same series) is passed through.
   */
  aggregate?: AggregateOptions | false;
  /**
   * Where deltas are merged instead of in this process (set by apptuit/workers'
   * `createWorkersRelay`, which shards them over Durable Objects).
   */
  remoteAggregator?: RemoteAggregator;
  /** Series budgets of the aggregator. */
  budget?: BudgetOptions;
  /**
   * Tag value that sets this relay's writes apart from other replicas' (tag key `writer`),
   * for several relay processes behind one load balancer: each then writes its own series,
   * and queries sum over `writer`. Default: none (one relay process).
   */
  writerTag?: string;
  /** Proxy headers that name the client for rate limits and budgets (default: none trusted). */
  trustProxy?: TrustProxy;
  /** Most bytes of OpenTSDB JSON one request may expand to (default 4 MiB). More → 413. */
  maxExpandedBytes?: number;
  /** Upstream writes in flight at once (default 8). More → 503 with `Retry-After`, at once. */
  maxConcurrentWrites?: number;
  /** Accepted point timestamps, ms around the relay's clock (default 1 h back, 10 min ahead). Outside → 400. */
  timestampWindow?: { pastMs?: number; futureMs?: number };
  /** Clock in epoch ms (tests). Default `Date.now`. */
  now?: () => number;
}

export const RELAY_DEFAULTS = {
  maxBodyBytes: 65_536,
  maxPoints: 5_000,
  corsMaxAge: 86_400,
  windowMs: 10_000,
  graceMs: 2_000,
  maxBufferedPoints: 100_000,
  seriesPerWindow: 50_000,
  newSeriesPerClient: 5_000,
  maxExpandedBytes: 4 * 1024 * 1024,
  maxConcurrentWrites: 8,
  pastMs: 3_600_000,
  futureMs: 600_000,
  /** JSON nesting: a v2 payload needs 4 levels, OpenTSDB JSON 3. */
  maxDepth: 6,
} as const;

export function serverTagsOf(tags: ServerTags | undefined): Tags {
  const out: Tags = {};
  if (tags === undefined || tags === null) return out;
  for (const [key, value] of Object.entries(tags)) {
    if (typeof value === "string" && value !== "") out[key] = value;
  }
  return out;
}
