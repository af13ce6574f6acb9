/** The five kinds of metric a registry holds (docs/metrics.md). */
export type MetricKind = "counter" | "gauge" | "meter" | "histogram" | "timer";
