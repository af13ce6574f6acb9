// A relay-only entry for pages (subpath `apptuit/browser/relay`): `init({ relayUrl })`
// and the registry, without the `Apptuit` client — see relay-entry.ts.
export { init, type RelayPageOptions } from "./relay-entry";
export * from "./page-exports";
// Names and constants a bundler's tree-shaking drops when unused; the script tag leaves them out.
export { INVALID_UPDATES, SERIES_REFUSED } from "../../registry/meta";
export { RELATIVE_ACCURACY } from "../../registry/mapping";
export type { BrowserHandle, BrowserInitOptions } from "./options";
export { RUNTIME_METRICS } from "./runtime-metric-names";
export type { WebVitals } from "./runtime-metrics";
export { KEEPALIVE_QUOTA_BYTES } from "./quota";
export { UNLOAD_UNCONFIRMED } from "./unload-ledger";
