import { ApptuitConfigError } from "../../core/errors/config-error";
import type { ApptuitOptions } from "../../core/options";
import type { Tags, Temporality } from "../../core/types";
import type { MetricsRegistry } from "../../registry/registry";
import type { ReporterErrorHandler } from "../../reporter/error-handler";
import type { ReporterSender, ReporterSettings } from "../../reporter/options";

/**
 * The client options an adapter passes on to the `Apptuit` client it builds, apart from
 * those every runtime has at the top level (`token`, `endpoint`, `globalTags`) and the
 * environment (each adapter reads its own).
 */
export type InitClientOptions = Omit<ApptuitOptions, "token" | "endpoint" | "globalTags" | "env">;

/**
 * The options every runtime's setup takes (`init`, `withApptuit`, `startApptuit`), with
 * the same names and meanings everywhere; each adapter's options extend these with what
 * only that runtime has. Defaults that differ by runtime are listed in docs/runtimes.md.
 */
export interface InitOptions {
  /** The registry to report; default a new one (handed back by the adapter). */
  registry?: MetricsRegistry;
  /** Milliseconds between flushes (default 60,000 on servers, 10,000 elsewhere). */
  interval?: number;
  /** Prepended to every metric name. */
  prefix?: string;
  /** Reporter tags: above `globalTags`, below each metric's own tags. */
  tags?: Tags;
  /** Lowest-precedence tags on every point; replaces `APPTUIT_TAGS` when given. */
  globalTags?: Tags;
  /**
   * `"cumulative"` (the default of long-lived servers) or `"delta"` (the default where
   * many instances report the same series at once: deltas add up, totals overwrite).
   */
  temporality?: Temporality;
  /** `(statusCode, successful, failed, errors)`; default a `console.warn` line; `null` silences. */
  onError?: ReporterErrorHandler | null;
  /** Bounds of the reporter's retry buffer. */
  retryBuffer?: ReporterSettings["retryBuffer"];
  /**
   * API token; else `APPTUIT_API_TOKEN` from the environment. `null`: a backend without
   * auth (no `Authorization` header on any request).
   */
  token?: string | null;
  /** API base URL; else `APPTUIT_ENDPOINT`; default `https://api.apptuit.ai`. */
  endpoint?: string;
  /** Send through this client instead of one built from the options here and the environment. */
  client?: ReporterSender;
  /**
   * Further options of the client built here (`writeEndpoint`, `queryEndpoint`,
   * `promEndpoint`, `sanitize`, `timeout`, `retry`, `fetch`, `compress`, …); not used when
   * `client` is given.
   */
  clientOptions?: InitClientOptions;
}

/** Client options that earlier versions took at the top level of server or edge options. */
const MOVED_TO_CLIENT_OPTIONS = [
  "writeEndpoint",
  "queryEndpoint",
  "promEndpoint",
  "sanitize",
  "timeout",
  "retry",
  "fetch",
  "compress",
] as const;

/**
 * Refuses a client option given at the top level (plain JavaScript escapes the types):
 * silently ignored, a `fetch` or `writeEndpoint` would send elsewhere than meant.
 */
export function checkNoTopLevelClientOptions(options: object): void {
  const misplaced = MOVED_TO_CLIENT_OPTIONS.filter((key) => (options as Record<string, unknown>)[key] !== undefined);
  if (misplaced.length > 0) {
    throw new ApptuitConfigError(`${misplaced.join(", ")}: client options go under \`clientOptions\``);
  }
}
