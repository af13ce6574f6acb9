// What a relay-mode page exports of the registry (the script tag and `apptuit/browser/relay`):
// the page's own registry as `MetricsRegistry`, and the handles it gives out.
export { PageRegistry as MetricsRegistry, type PageRegistryOptions as MetricsRegistryOptions } from "./page-registry";
export { Counter } from "../../registry/counter";
export { Gauge } from "../../registry/gauge";
// Meters, histograms and timers without their reading side (rates, `snapshot()`, quantiles): the relay computes those.
export { RecordingMeter as Meter } from "../../registry/recording-meter";
export { PageHistogram as Histogram, PageTimer as Timer } from "./page-histogram";
export type { MetricKind } from "../../registry/kind";
export { GaugeCallbackError } from "../../registry/errors/gauge-callback-error";
export type { Reporter } from "../../reporter/reporter-api";
export type { FlushResult, ReporterStats } from "../../reporter/flush-result";
