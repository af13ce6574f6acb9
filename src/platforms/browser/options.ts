import type { Apptuit } from "../../core/client";
import type { ApptuitOptions } from "../../core/options";
import type { SanitizeMode, Tags, Temporality } from "../../core/types";
import type { Collectable } from "../../core/types";
import type { RecordingHandles } from "../../registry/kinds";
import type { MetricsRegistry } from "../../registry/registry";
import type { ReporterErrorHandler } from "../../reporter/error-handler";
import type { FlushResult } from "../../reporter/flush-result";
import type { ApptuitReporterOptions } from "../../reporter/options";
import type { Reporter } from "../../reporter/reporter-api";

/**
 * Options of `init()` in a page. Give either `relayUrl` (recommended: the token stays on
 * the server, and a same-origin URL is not blocked by ad blockers) or `endpoint` + `token`.
 */
/** What `init` needs of a registry: the handles its runtime metrics use, and `collect`. */
export type PageMetrics = Collectable & RecordingHandles;

export interface BrowserInitOptions<R extends PageMetrics = MetricsRegistry> {
  /** URL of an `apptuit/relay` handler, e.g. `"/apptuit"`. Points go there in the compact format. */
  relayUrl?: string;
  /** Direct mode: API base URL (default `https://api.apptuit.ai`). The page must be allowed by CORS. */
  endpoint?: string;
  /**
   * Direct mode: API token. Anyone who opens the page can read it: prefer `relayUrl`.
   * `null`: a backend without auth (no `Authorization` header on any request).
   */
  token?: string | null;
  /** The registry to report; default a new one (handed back by `init`). */
  registry?: R;
  /** Milliseconds between flushes; default 10,000. */
  interval?: number;
  /** Prepended to every metric name. */
  prefix?: string;
  /** Reporter tags: above `globalTags`, below each metric's own tags. */
  tags?: Tags;
  /**
   * Lowest-precedence tags on every point; default `{ runtime: "browser" }` (OpenTSDB needs
   * at least one tag per point). With a relay, its server-side tags override these.
   */
  globalTags?: Tags;
  /** Name rewriting (default `"prometheus"`), as the client's. */
  sanitize?: SanitizeMode;
  /**
   * Default `"delta"`: thousands of tabs report the same series, and cumulative totals
   * from each would overwrite one another in the backend, while deltas add up. Counters,
   * meters and timer/histogram counts are what happened in the interval; histogram and
   * timer statistics (min, max, avg, percentiles) describe only that interval's values;
   * gauges are the value at the flush. Combine them at query time: sum counts, average or
   * max the statistics across tabs (a mean of per-tab percentiles is not a percentile).
   */
  temporality?: Temporality;
  /** Record Core Web Vitals (`web-vitals`), JS heap (where exposed) and long tasks. */
  runtimeMetrics?: boolean;
  /** `(statusCode, successful, failed, errors)`; default a `console.warn` line; `null` silences. */
  onError?: ReporterErrorHandler | null;
  /** Bounds of the retry buffer (default here 10,000 points, 2 MiB: a tab is not a server). */
  retryBuffer?: ApptuitReporterOptions["retryBuffer"];
  /** Most points in one request body; default 5,000 (the relay's default `maxPoints`). */
  maxPointsPerRequest?: number;
  /** Largest request body in bytes; default 65,536 (the relay's default `maxBodyBytes` and the keepalive quota). */
  maxBodyBytes?: number;
  /** Relay mode: per-request timeout in ms; default 10,000. */
  timeout?: number;
  /** Direct mode: further client options (`writeEndpoint`, `queryEndpoint`, `retry`, `compress`, …). */
  clientOptions?: Omit<ApptuitOptions, "token" | "endpoint" | "globalTags" | "sanitize" | "fetch">;
  /**
   * Flush when the page is hidden or left (default true). Within the browser's 64 KiB
   * keepalive quota the flush goes as beacons / keepalive requests; the rest as ordinary
   * requests, which arrive if the browser lets them finish (counted as delivered on a 2xx;
   * points of a page that died before any answer are reported by the next page of the
   * origin as `apptuit.browser.unload_unconfirmed`).
   */
  flushOnHide?: boolean;
  /**
   * Relay mode: the `fetch` to post with (default the global one). With it, `init` also
   * runs where there is no `document` — a Web Worker, a test process simulating tabs —
   * and then skips the page lifecycle hooks (no flush on hide).
   */
  fetch?: typeof fetch;
}

export interface BrowserHandle<R extends PageMetrics = MetricsRegistry> {
  registry: R;
  /**
   * The running reporter: `stats()`, `flush()`, `stop()`. Direct mode: an `ApptuitReporter`;
   * relay mode: the page's own, smaller reporter (docs/browser-page-size.md).
   */
  reporter: Reporter;
  /** Direct mode only: the client, for `send`, `query`, `promQuery`. */
  client?: Apptuit;
  /** Flush now through the normal path (awaits the answer). */
  flush(): Promise<FlushResult>;
  /** Removes listeners and timers, stops runtime metrics, then flushes what is left. */
  shutdown(): Promise<void>;
}
