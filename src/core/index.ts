// Public API of the core layer; src/index.ts re-exports all of it.
export { Apptuit, type SendOptions, type PromRangeOptions, type PromInstantOptions } from "./client";
export type { ApptuitOptions, RetryOptions } from "./options";
export { DEFAULT_ENDPOINT } from "./options";
export type { Tags, DataPoint, TimeSeriesInput, SanitizeMode, Temporality, CollectedPoint, Collectable } from "./types";
export type { WirePoint } from "./wire";
export type { SendResult } from "./send";
export type { QueryOptions } from "./query/query";
export { QueryResult, type QueryOutput, type TimeSeries } from "./query/result";
export { seriesLabel, toTable, type Table, type TableColumn } from "./query/table";
export { PROMQL_OUTPUT_ID } from "./prom/prom";
export { encodeMetric, decodeMetric } from "./names";
export { sanitizeName, VALID_NAME } from "./sanitize";
export { mergeTags } from "./tags";
export { parseTags, parseBooleanEnv, readDisableHostTag, type Env } from "./env";
export { MAX_POINTS_PER_REQUEST } from "./batch";
export { MAX_TAGS } from "./schemas/point";
export { gzip, gunzip } from "./gzip";
export * from "./errors";
