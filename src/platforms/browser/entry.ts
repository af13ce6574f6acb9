import { Apptuit } from "../../core/client";
import { MetricsRegistry } from "../../registry/registry";
import { directMode } from "./direct-mode";
import { eitherMode } from "./either-mode";
import { initBrowser } from "./init";
import type { BrowserHandle, BrowserInitOptions } from "./options";

/**
 * Starts reporting from a page: a registry, a reporter flushing every 10 s and whenever
 * the page is hidden or left, and (opt-in) Core Web Vitals, JS heap and long tasks.
 *
 * ```ts
 * const { registry } = init({ relayUrl: "/apptuit", tags: { app: "shop" }, runtimeMetrics: true });
 * registry.counter("checkout.clicks").inc();
 * ```
 */
export function init(options: BrowserInitOptions): BrowserHandle {
  return initBrowser(options, {
    registry: () => new MetricsRegistry(),
    runtime: () => import("./runtime-start"),
    mode: eitherMode(directMode(Apptuit)),
  });
}
