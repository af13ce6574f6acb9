import type { ApptuitClient } from "../../core/client-base";
import type { Collectable } from "../../core/types";
import type { RecordingHandles } from "../../registry/kinds";
import type { MetricsRegistry } from "../../registry/registry";
import type { FlushResult } from "../../reporter/flush-result";
import type { Reporter } from "../../reporter/reporter-api";
import type { InitClientOptions, InitOptions } from "../shared/init-options";

/** What `init` needs of a registry: the handles its runtime metrics use, and `collect`. */
export type PageMetrics = Collectable & RecordingHandles;

/**
 * Options of `init()` in a page: the options every runtime takes (`InitOptions`: token,
 * endpoint, tags, interval, `clientOptions`, …, docs/runtimes.md) and what only a page has.
 * Give either `relayUrl` (recommended: the token stays on the server, and a same-origin URL
 * is not blocked by ad blockers) or `endpoint` + `token` (direct mode).
 */
export interface BrowserInitOptions<R extends PageMetrics = MetricsRegistry>
  extends Omit<InitOptions, "registry" | "client" | "clientOptions"> {
  /** URL of an `apptuit/relay` handler, e.g. `"/apptuit"`. Points go there in the compact format. */
  relayUrl?: string;
  /** The registry to report; default a new one (handed back by `init`). */
  registry?: R;
  /**
   * How the page sends. Relay mode uses `timeout` (per request, default 10,000 ms) and
   * `fetch` (default the global one; with it, `init` also runs where there is no
   * `document` — a Web Worker, a test process simulating tabs — and then skips the page
   * lifecycle hooks). Direct mode: every client option (`sanitize`, `writeEndpoint`,
   * `retry`, `compress`, `timeout`, …) but `fetch` (the page wraps the global one to keep
   * within the keepalive quota).
   */
  clientOptions?: InitClientOptions;
  /** Record Core Web Vitals (`web-vitals`), JS heap (where exposed) and long tasks. */
  runtimeMetrics?: boolean;
  /** Most points in one request body; default 5,000 (the relay's default `maxPoints`). */
  maxPointsPerRequest?: number;
  /** Largest request body in bytes; default 65,536 (the relay's default `maxBodyBytes` and the keepalive quota). */
  maxBodyBytes?: number;
  /**
   * Flush when the page is hidden or left (default true). Within the browser's 64 KiB
   * keepalive quota the flush goes as beacons / keepalive requests; the rest as ordinary
   * requests, which arrive if the browser lets them finish (counted as delivered on a 2xx;
   * points of a page that died before any answer are reported by the next page of the
   * origin as `apptuit.browser.unload_unconfirmed`).
   */
  flushOnHide?: boolean;
}

export interface BrowserHandle<R extends PageMetrics = MetricsRegistry> {
  registry: R;
  /**
   * The running reporter: `stats()`, `flush()`, `stop()` — the page's own reporter, smaller
   * than the general `ApptuitReporter` (docs/browser-page-size.md).
   */
  reporter: Reporter;
  /** Direct mode only: the client, for `send`, `query`, `promQuery` (an `Apptuit`; in the script tag, its `fetch`-only twin). */
  client?: ApptuitClient;
  /** Flush now through the normal path (awaits the answer). */
  flush(): Promise<FlushResult>;
  /** Removes listeners and timers, stops runtime metrics, then flushes what is left. */
  shutdown(): Promise<void>;
}
