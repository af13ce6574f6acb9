// What `runtimeMetrics: true` loads on demand, and only then: the runtime metrics with
// `web-vitals` (docs/browser-page-size.md). The script tags get it from
// dist/apptuit-vitals.iife.js (src/iife-vitals.ts), the ESM entries by a dynamic import.
import { onCLS, onFCP, onINP, onLCP, onTTFB } from "web-vitals";
import { type RuntimeMetrics, startRuntimeMetrics } from "./runtime-metrics";

type Handles = Parameters<typeof startRuntimeMetrics>[0];

/** Starts recording Core Web Vitals, JS heap (where exposed) and long tasks into `registry`. */
export function startRuntime(registry: Handles): RuntimeMetrics {
  return startRuntimeMetrics(registry, { onCLS, onFCP, onINP, onLCP, onTTFB });
}

/** What the loaders of this module resolve to. */
export interface RuntimeModule {
  startRuntime: typeof startRuntime;
}
