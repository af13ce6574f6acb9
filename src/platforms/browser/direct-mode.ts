import { Apptuit } from "../../core/client";
import type { SanitizeMode, Tags } from "../../core/types";
import type { ReporterSender } from "../../reporter/options";
import { keepaliveFetch } from "./keepalive-fetch";
import type { BrowserInitOptions } from "./options";
import type { KeepaliveQuota } from "./quota";
import { keepaliveChannel, type PageChannel } from "./urgent-channel";

export interface DirectModeContext {
  quota: KeepaliveQuota;
  limits: { maxBodyBytes: number; maxPoints: number; timeout: number };
  globalTags: Tags;
  sanitize: SanitizeMode;
}

/**
 * Direct mode (`endpoint` + `token`): the page's own `Apptuit` client sends gzipped
 * OpenTSDB JSON (keepalive while the quota has room), the page-hide flush plain JSON with
 * keepalive `fetch`es. Its own module, so that the relay-only entry never carries the client.
 */
export function directMode(options: BrowserInitOptions, ctx: DirectModeContext): { client: Apptuit; sender: ReporterSender; channel: PageChannel } {
  const { token } = options;
  const client = new Apptuit({
    ...options.clientOptions,
    token,
    endpoint: options.endpoint,
    globalTags: ctx.globalTags,
    sanitize: ctx.sanitize,
    fetch: keepaliveFetch(ctx.quota),
  });
  // The page-hide channel authenticates exactly as the client does (`token: null` or `auth: false`: not at all).
  const auth = token && options.clientOptions?.auth !== false ? token : null;
  return { client, sender: client, channel: keepaliveChannel(`${client.endpoints.write}/api/put?details`, auth, ctx.quota, ctx.limits) };
}
