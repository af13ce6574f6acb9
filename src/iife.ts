// Script-tag build: everything here becomes a property of `window.Apptuit` — the same API
// as `apptuit/browser` (`Apptuit.init(...)`, `new Apptuit.MetricsRegistry()`, …). One file,
// no imports: `web-vitals` is inlined rather than loaded on demand.
import * as webVitals from "web-vitals";
import { directMode } from "./platforms/browser/direct-mode";
import { initBrowser } from "./platforms/browser/init";
import type { BrowserHandle, BrowserInitOptions } from "./platforms/browser/options";

export * from "./index";
export { RUNTIME_METRICS } from "./platforms/browser/runtime-metrics";
export { KEEPALIVE_QUOTA_BYTES } from "./platforms/browser/quota";
export { UNLOAD_UNCONFIRMED } from "./platforms/browser/unload-ledger";

export function init(options: BrowserInitOptions): BrowserHandle {
  return initBrowser(options, { vitals: () => Promise.resolve(webVitals), direct: directMode });
}
