import { MAX_POINTS_PER_REQUEST } from "../core/wire-rules";
import type { ApptuitOptions } from "../core/options";
import type { Collectable, CollectForm, DataPoint, Tags } from "../core/types";
import type { WirePoint } from "../core/wire";
import type { SendOutcome } from "../core/outcome";
import type { ReporterErrorHandler } from "./error-handler";
import type { ReporterPlatform } from "./platform";

/** At most this many points per request (the Python reporter's batch size, docs/wire-format.md). */
export const MAX_BATCH = MAX_POINTS_PER_REQUEST;

/**
 * The plain-data options, checked at construction by `checkSettings` — plain code rather
 * than a schema library, so that a page's reporter does not carry one.
 */
export interface ReporterSettings {
  /** Milliseconds between flushes once `start()`ed; default 60,000. */
  interval?: number | undefined;
  /** Prepended to every metric name, e.g. `"shop."`. */
  prefix?: string | undefined;
  /** Reporter tags: below each metric's own tags, above the client's global/env tags. */
  tags?: Tags | undefined;
  /** `"cumulative"` (default, Dropwizard) or `"delta"` (what happened since the last flush). */
  temporality?: "cumulative" | "delta" | undefined;
  /**
   * Prepare (validate, tag, sanitize) a flush's points this many at a time, awaiting the
   * `yield` option between slices; default: all at once. For pages, whose main thread a
   * flush of thousands of series would otherwise hold for one long task.
   */
  sliceSize?: number | undefined;
  /** Bounds of the buffer of points waiting for a retry (defaults 100,000 points, 16 MiB). */
  retryBuffer?: { maxPoints?: number | undefined; maxBytes?: number | undefined } | undefined;
}

/**
 * What the reporter sends through: an `Apptuit` client, or anything with the same
 * methods, such as a platform adapter's relay sender. With `deliver`, the reporter reads
 * the outcome value it returns; without, `sendPrepared` must throw errors named like the
 * client's, with `undelivered` listing the points neither stored nor rejected (see
 * `outcomeOfError`).
 */
export interface ReporterSender {
  /** Validate, merge tags (point > `tags` > global), sanitize; throws `ApptuitValidationError` with `index`. */
  prepare(points: readonly DataPoint[], options?: { tags?: Tags }): WirePoint[];
  sendPrepared(points: WirePoint[], options?: { signal?: AbortSignal }): Promise<unknown>;
  /** What became of each point (stored, rejected with reasons, undelivered); should not throw. */
  deliver?(points: WirePoint[]): Promise<SendOutcome>;
  /**
   * Masks this sender's own secrets (e.g. its token) in a line about to be logged: the
   * default error handler calls it, so that the reporter never needs to hold a credential.
   */
  redact?(text: string): string;
}

/**
 * The options of `ReporterCore`: what to report, how and through which sender — never a
 * credential (the sender keeps its own, and masks it through `redact`).
 */
export interface ReporterCoreOptions extends ReporterSettings {
  /** What to report: a `MetricsRegistry`, or any `Collectable`. */
  registry: Collectable;
  /** Send through this client (an `Apptuit` client, a relay sender, …). */
  client?: ReporterSender;
  /**
   * `(statusCode, successful, failed, errors)` for every failure; default: one line on
   * `console.warn` (masked by the sender's `redact`); `null` silences it.
   */
  onError?: ReporterErrorHandler | null;
  /** Timers; default `globalThis.setInterval`. Platform adapters pass their own. */
  platform?: ReporterPlatform;
  /**
   * With `sliceSize`: awaited between slices to give the thread back (e.g. `scheduler.yield()`);
   * may return nothing to go on at once (e.g. while within a time budget). Default: none
   * (`apptuit/browser` passes `scheduler.yield()` on a time budget).
   */
  yield?: () => PromiseLike<void> | void;
  /** Clock in epoch milliseconds; default `Date.now`. */
  now?: () => number;
  /**
   * `"deltas"`: collect one point per series with its kind and mergeable delta (implies
   * delta temporality), for an aggregating relay (`apptuit/browser/relay` sets it). Default `"fields"`.
   */
  form?: CollectForm;
}

/** What `ApptuitReporter` builds its own `Apptuit` client from, when no `client` is given. */
export interface ReporterClientOptions {
  /** `null`: a backend without auth (no `Authorization` header). */
  token?: string | null;
  endpoint?: string;
  env?: Record<string, string | undefined>;
  /** The client's retries within one flush (default: the client's, 3). */
  retry?: ApptuitOptions["retry"];
  /** Further options for the client built here. */
  clientOptions?: ApptuitOptions;
}

/**
 * The options of `ApptuitReporter`: either a `client` to send through, or what to build
 * an `Apptuit` client from (`token`, `endpoint`, `env`, `retry`, `clientOptions`) — not both.
 */
export type ApptuitReporterOptions =
  | (ReporterCoreOptions & { client: ReporterSender } & { [K in keyof ReporterClientOptions]?: undefined })
  | (ReporterCoreOptions & ReporterClientOptions & { client?: undefined });

/** Checks the plain-data options; returns a message naming each bad option, or undefined. */
export function checkSettings(options: ReporterSettings): string | undefined {
  const problems: string[] = [];
  const number = (path: string, value: unknown, integer: boolean, min: number, max = Infinity) => {
    if (value === undefined) return;
    if (typeof value !== "number" || !Number.isFinite(value) || (integer && !Number.isInteger(value)) || value < min || value > max) {
      problems.push(`${path}: must be ${integer ? "an integer" : "a finite number"} ≥ ${min}${max < Infinity ? ` and ≤ ${max}` : ""}`);
    }
  };
  number("interval", options.interval, false, 1);
  // Requests are cut by the sender alone (one batching step): the size is the client's.
  if ("batchSize" in options) problems.push("batchSize: set the client's maxPointsPerRequest instead (clientOptions.maxPointsPerRequest)");
  number("sliceSize", options.sliceSize, true, 1);
  if (options.prefix !== undefined && typeof options.prefix !== "string") problems.push("prefix: must be a string");
  const { tags, temporality, retryBuffer } = options;
  if (tags !== undefined && (tags === null || typeof tags !== "object" || Object.values(tags).some((t) => typeof t !== "string"))) {
    problems.push("tags: must be an object of strings");
  }
  if (temporality !== undefined && temporality !== "cumulative" && temporality !== "delta")
    problems.push('temporality: must be "cumulative" or "delta"');
  if (retryBuffer !== undefined) {
    if (retryBuffer === null || typeof retryBuffer !== "object") problems.push("retryBuffer: must be an object");
    else {
      number("retryBuffer.maxPoints", retryBuffer.maxPoints, true, 0);
      // Infinity: no byte bound.
      if (retryBuffer.maxBytes !== undefined && !(typeof retryBuffer.maxBytes === "number" && retryBuffer.maxBytes >= 0))
        problems.push("retryBuffer.maxBytes: must be a number ≥ 0");
    }
  }
  return problems.length > 0 ? problems.join("; ") : undefined;
}
