import type { ApptuitOptions } from "../../core/options";
import type { Tags, Temporality } from "../../core/types";
import type { MetricsRegistry } from "../../registry/registry";
import type { ReporterErrorHandler } from "../../reporter/error-handler";
import type { ApptuitReporterOptions, ReporterSender } from "../../reporter/options";
import type { RequestMetricsOptions } from "./request-metrics";

/** Options shared by the edge adapters (`apptuit/workers`, `apptuit/next`). */
export interface EdgeOptions {
  /**
   * The registry to report, usually created at module scope so that handlers record
   * through the same handles. Default: one made on first use (the wrapper's `registry`).
   */
  registry?: MetricsRegistry;
  /** API token; else `APPTUIT_API_TOKEN` from the environment. */
  token?: string;
  /** Base URL; else `APPTUIT_ENDPOINT`; default `https://api.apptuit.ai`. */
  endpoint?: string;
  /** Base URL of `POST /api/put` when it differs from `endpoint`. */
  writeEndpoint?: string;
  /** Tags on every point; replaces `APPTUIT_TAGS` when given. */
  globalTags?: Tags;
  /** Reporter tags: above the global tags, below each metric's own. */
  tags?: Tags;
  /** Prepended to every metric name. */
  prefix?: string;
  /**
   * Shortest time between two flushes of one isolate, in ms (default 10,000). The first
   * request of an isolate flushes; later ones only when this much time has passed.
   */
  interval?: number;
  /**
   * Default `"delta"`: many isolates report the same series at once, and cumulative
   * totals from each would overwrite one another in the backend; deltas add up.
   */
  temporality?: Temporality;
  /** Count and time every request, tagged by route, method and status class. */
  requestMetrics?: boolean | RequestMetricsOptions;
  /** `(statusCode, successful, failed, errors)`; default a `console.warn` line; `null` silences. */
  onError?: ReporterErrorHandler | null;
  /** Send through this client instead of one built from the options above. */
  client?: ReporterSender;
  /**
   * Further client options (`sanitize`, `fetch`, `timeout`, `retry`, …). Edge defaults:
   * `timeout` 5,000 ms and 1 retry, so a flush stays well inside the time `waitUntil`
   * grants after the response; what fails waits in the retry buffer for the next flush.
   */
  clientOptions?: Omit<ApptuitOptions, "token" | "env" | "endpoint" | "writeEndpoint" | "globalTags">;
  /** Bounds of the reporter's retry buffer. */
  retryBuffer?: ApptuitReporterOptions["retryBuffer"];
  /** Clock in epoch ms (flush throttle and point timestamps); default `Date.now`. */
  now?: () => number;
}

/** Only the string values of an environment: Workers `env` also holds bindings (KV, …). */
export function stringEnv(env: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (typeof env !== "object" || env === null) return out;
  for (const [key, value] of Object.entries(env)) if (typeof value === "string") out[key] = value;
  return out;
}

/** The reporter's options for an edge isolate: delta, edge timeouts, env-derived client. */
export function edgeReporterOptions(
  options: EdgeOptions,
  registry: MetricsRegistry,
  env: Record<string, string>,
): ApptuitReporterOptions {
  const reporter: ApptuitReporterOptions = {
    registry,
    temporality: options.temporality ?? "delta",
    env,
    clientOptions: {
      timeout: 5_000,
      retry: 1,
      ...options.clientOptions,
      ...(options.writeEndpoint !== undefined && { writeEndpoint: options.writeEndpoint }),
      ...(options.globalTags !== undefined && { globalTags: options.globalTags }),
    },
  };
  if (options.client !== undefined) reporter.client = options.client;
  if (options.token !== undefined) reporter.token = options.token;
  if (options.endpoint !== undefined) reporter.endpoint = options.endpoint;
  if (options.tags !== undefined) reporter.tags = options.tags;
  if (options.prefix !== undefined) reporter.prefix = options.prefix;
  if (options.onError !== undefined) reporter.onError = options.onError;
  if (options.retryBuffer !== undefined) reporter.retryBuffer = options.retryBuffer;
  if (options.now !== undefined) reporter.now = options.now;
  return reporter;
}
