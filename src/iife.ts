// Script-tag build, dist/apptuit.iife.js: the relay-mode page SDK as `window.Apptuit` —
// `Apptuit.init({ relayUrl })`, the registry (`new Apptuit.MetricsRegistry()`, …) and the
// unload path, nothing the relay does (docs/browser-page-size.md). Direct mode (endpoint +
// token) and queries: dist/apptuit-direct.iife.js. `web-vitals` comes from
// dist/apptuit-vitals.iife.js, next to this file, only with `runtimeMetrics: true`.
import { initBrowser } from "./platforms/browser/init";
import type { BrowserHandle } from "./platforms/browser/options";
import { PageRegistry } from "./platforms/browser/page-registry";
import type { RelayPageOptions } from "./platforms/browser/relay-entry";
import { relayMode } from "./platforms/browser/relay-mode";
import { currentScriptBase, scriptRuntime } from "./platforms/browser/vitals-script";

export * from "./platforms/browser/page-exports";
export { RUNTIME_METRICS } from "./platforms/browser/runtime-metric-names";

// Read while this script first runs: `document.currentScript` is only set then.
const runtime = scriptRuntime(currentScriptBase());

export function init(options: RelayPageOptions): BrowserHandle<PageRegistry> {
  return initBrowser(options, { registry: () => new PageRegistry(), runtime, mode: relayMode });
}
