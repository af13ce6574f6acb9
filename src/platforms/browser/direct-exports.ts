// What the direct-mode script tag (dist/apptuit-direct.iife.js) exports besides `init`: the
// client for dashboards (`query`, `promQuery`, `toTable`) and for `send`, the full registry
// (direct mode sends its Dropwizard fields) with its handles, and the errors. Not the
// general reporter (`ApptuitReporter`): a page runs the page reporter (docs/browser-page-size.md).
// The client on `fetch` alone (no ky), under the name every other entry gives the client.
export { PageClient as Apptuit } from "./page-client";
export type { SendOptions, PromRangeOptions, PromInstantOptions } from "../../core/client-base";
export type { ApptuitOptions, RetryOptions } from "../../core/options";
export type { Tags, DataPoint, SanitizeMode, Temporality } from "../../core/types";
export { QueryResult, type QueryOutput, type TimeSeries } from "../../core/query/result";
export { seriesLabel, toTable, type Table, type TableColumn } from "../../core/query/table";
export { PROMQL_OUTPUT_ID } from "../../core/prom/prom";
export { encodeMetric, decodeMetric } from "../../core/names";
export * from "../../core/errors";
export { MetricsRegistry, type MetricsRegistryOptions } from "../../registry/registry";
export { INVALID_UPDATES, SERIES_REFUSED, SERIES_REPAIRED } from "../../registry/meta";
export { Counter } from "../../registry/counter";
export { Gauge } from "../../registry/gauge";
export { Meter } from "../../registry/meter";
export { Histogram } from "../../registry/histogram";
export { Timer } from "../../registry/timer";
export type { MetricKind } from "../../registry/kind";
export { MetricKindError } from "../../registry/errors/metric-kind-error";
export { RELATIVE_ACCURACY } from "../../registry/mapping";
export { GaugeCallbackError } from "../../registry/errors/gauge-callback-error";
export { ApptuitDroppedError } from "../../reporter/dropped-error";
export type { Reporter } from "../../reporter/reporter-api";
export type { FlushResult, ReporterStats } from "../../reporter/flush-result";
