import { Apptuit } from "../../core/client";
import type { MetricsRegistry } from "../../registry/registry";
import type { ReporterCoreOptions, ReporterSender } from "../../reporter/options";
import { checkNoTopLevelClientOptions, type InitOptions } from "./init-options";
import type { RequestMetricsOptions } from "./request-metrics";

/**
 * Options shared by the edge adapters (`apptuit/workers`, `apptuit/next`): those of every
 * runtime (`InitOptions`) and what a request-driven isolate adds. Defaults:
 * - `interval` 10,000 ms, the shortest time between two flushes of one isolate: the first
 *   request of an isolate flushes, later ones only when this much time has passed;
 * - `"delta"`: many isolates report the same series at once, and cumulative totals from
 *   each would overwrite one another in the backend, while deltas add up;
 * - client `timeout` 5,000 ms and 1 retry, so that a flush stays well inside the time
 *   `waitUntil` grants after the response; what fails waits in the retry buffer.
 */
export interface EdgeOptions extends InitOptions {
  /** Count and time every request, tagged by route, method and status class. */
  requestMetrics?: boolean | RequestMetricsOptions;
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

/** The reporter's options for an edge isolate: delta, and the given client or one built from options and `env`. */
export function edgeReporterOptions(options: EdgeOptions, registry: MetricsRegistry, env: Record<string, string>): EdgeReporterOptions {
  checkNoTopLevelClientOptions(options);
  const reporter: EdgeReporterOptions = {
    registry,
    temporality: options.temporality ?? "delta",
    client: options.client ?? edgeClient(options, env),
  };
  if (options.tags !== undefined) reporter.tags = options.tags;
  if (options.prefix !== undefined) reporter.prefix = options.prefix;
  if (options.onError !== undefined) reporter.onError = options.onError;
  if (options.retryBuffer !== undefined) reporter.retryBuffer = options.retryBuffer;
  if (options.now !== undefined) reporter.now = options.now;
  return reporter;
}

/** What an edge adapter hands the reporter: never a credential, only the client. */
export type EdgeReporterOptions = ReporterCoreOptions & { client: ReporterSender };

/** The client of an isolate: options first, then `APPTUIT_API_TOKEN`, `APPTUIT_ENDPOINT`, `APPTUIT_TAGS` from `env`. */
function edgeClient(options: EdgeOptions, env: Record<string, string>): Apptuit {
  return new Apptuit({
    timeout: 5_000,
    retry: 1,
    ...options.clientOptions,
    env,
    ...(options.token !== undefined && { token: options.token }),
    ...(options.endpoint !== undefined && { endpoint: options.endpoint }),
    ...(options.globalTags !== undefined && { globalTags: options.globalTags }),
  });
}
