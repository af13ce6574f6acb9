import type { ApptuitOptions } from "../core/options";
import type { SendResult } from "../core/send";
import type { DataPoint, Tags } from "../core/types";
import type { WirePoint } from "../core/wire";
import type { OriginRule } from "./cors";
import type { RateLimitOptions } from "./rate-limit";

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

export type RelayHandler = (request: Request, context?: RelayContext) => Promise<Response>;

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
}

export const RELAY_DEFAULTS = { maxBodyBytes: 65_536, maxPoints: 5_000, corsMaxAge: 86_400 } as const;

export function serverTagsOf(tags: ServerTags | undefined): Tags {
  const out: Tags = {};
  if (tags === undefined || tags === null) return out;
  for (const [key, value] of Object.entries(tags)) {
    if (typeof value === "string" && value !== "") out[key] = value;
  }
  return out;
}
