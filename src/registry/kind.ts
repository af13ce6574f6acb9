/** The five kinds of metric a registry holds (SPEC §5). */
export type MetricKind = "counter" | "gauge" | "meter" | "histogram" | "timer";
