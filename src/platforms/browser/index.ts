// apptuit/browser: everything of the main entry (Apptuit, MetricsRegistry, ApptuitReporter,
// encodeMetric/decodeMetric, errors, types) plus `init()` for pages, so one import suffices.
export * from "../../index";
export { init } from "./entry";
export type { BrowserHandle, BrowserInitOptions } from "./options";
export { RUNTIME_METRICS } from "./runtime-metric-names";
export type { WebVitals } from "./runtime-metrics";
export { KEEPALIVE_QUOTA_BYTES } from "./quota";
export { UNLOAD_UNCONFIRMED } from "./unload-ledger";
