// Script-tag build, dist/apptuit-direct.iife.js: everything here becomes a property of
// `window.Apptuit` — direct mode (`endpoint` + `token`), the client on `fetch` alone for
// `query`/`promQuery`/`toTable` (dashboards) and the registry. Not relay mode: a page with
// `relayUrl` loads dist/apptuit.iife.js (docs/browser-page-size.md). `web-vitals` comes from
// dist/apptuit-vitals.iife.js, next to this file, only with `runtimeMetrics: true`.
import { directMode } from "./platforms/browser/direct-mode";
import { directOnly } from "./platforms/browser/direct-only-mode";
import { MetricsRegistry } from "./registry/registry";
import { initBrowser } from "./platforms/browser/init";
import { PageClient } from "./platforms/browser/page-client";
import type { BrowserHandle, BrowserInitOptions } from "./platforms/browser/options";
import { currentScriptBase, scriptRuntime } from "./platforms/browser/vitals-script";

export * from "./platforms/browser/direct-exports";
export { RUNTIME_METRICS } from "./platforms/browser/runtime-metric-names";
export { KEEPALIVE_QUOTA_BYTES } from "./platforms/browser/quota";
export { UNLOAD_UNCONFIRMED } from "./platforms/browser/unload-ledger";

// Read while this script first runs: `document.currentScript` is only set then.
const runtime = scriptRuntime(currentScriptBase());

/** Direct mode (`endpoint` + `token`); `relayUrl` throws `ApptuitConfigError` (relay mode is apptuit.iife.js). */
export function init(options: Omit<BrowserInitOptions, "relayUrl">): BrowserHandle {
  return initBrowser(options, { registry: () => new MetricsRegistry(), runtime, mode: directOnly(directMode(PageClient)) });
}
