/** `apptuit/relay`: the edge relay handler and the compact browser → relay format. */
export { createRelay } from "./relay";
export { encodeCompact, decodeCompact, COMPACT_CONTENT_TYPE, type DecodeCompactOptions } from "./compact-format";
export { splitCompact } from "./compact-split";
export { CompactPayloadSchema, COMPACT_LIMITS, type CompactPayload } from "./compact-schema";
export { CompactFormatError } from "./errors/compact-format-error";
export { RelayError } from "./errors/relay-error";
export type {
  RelayOptions,
  RelayContext,
  RelayHandler,
  RelayClient,
  RelayErrorInfo,
  ServerTags,
  RelayRequest,
  AggregateOptions,
  BudgetOptions,
  AggregateConfig,
  RemoteAggregator,
} from "./options";
export type { RelayStats } from "./relay-stats";
export type { OriginRule } from "./cors";
export { type RateLimitOptions, type TrustProxy, RATE_LIMIT_DEFAULTS, defaultClientKey } from "./rate-limit";
