import { initBrowser } from "./init";
import { PageRegistry } from "./page-registry";
import { relayMode } from "./relay-mode";
import type { BrowserHandle, BrowserInitOptions } from "./options";

/** What a relay page is configured with: no token or API endpoint can go into it. */
export type RelayPageOptions = Omit<BrowserInitOptions<PageRegistry>, "endpoint" | "token"> & { relayUrl: string };

/**
 * `init()` for pages that send through a relay (`relayUrl`) — the recommended setup — without
 * the direct mode's client (HTTP, gzip, queries), so the page carries only the registry,
 * the reporter and the relay sender (`web-vitals` loads on demand with `runtimeMetrics`).
 * `endpoint` + `token` throws `ApptuitConfigError` here: use `apptuit/browser`'s `init`.
 */
export function init(options: RelayPageOptions): BrowserHandle<PageRegistry> {
  return initBrowser(options, { registry: () => new PageRegistry(), runtime: () => import("./runtime-start"), mode: relayMode });
}
