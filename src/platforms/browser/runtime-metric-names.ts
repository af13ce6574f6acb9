/** Metric names (before prefix and sanitizing) of the opt-in runtime metrics. */
export const RUNTIME_METRICS = {
  /** Histograms of each page's Core Web Vitals: LCP, INP, FCP, TTFB in ms; CLS unitless. */
  webVitals: "browser.web_vitals.",
  /** Callback gauges in bytes, where the browser exposes `performance.memory` (Chromium). */
  heapUsed: "browser.memory.js_heap_used_bytes",
  heapTotal: "browser.memory.js_heap_total_bytes",
  heapLimit: "browser.memory.js_heap_limit_bytes",
  /** Counter of long tasks (> 50 ms on the main thread) and histogram of their durations in ms. */
  longTasks: "browser.long_tasks",
  longTaskDuration: "browser.long_tasks.duration",
} as const;
