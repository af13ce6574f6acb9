import { Apptuit } from "../../core/client";
import type { Tags } from "../../core/types";
import type { Collectable } from "../../core/types";
import type { ReporterSender } from "../../reporter/options";
import { ApptuitReporter } from "../../reporter/reporter";
import { keepaliveFetch } from "./keepalive-fetch";
import type { BrowserInitOptions, PageMetrics } from "./options";
import type { KeepaliveQuota } from "./quota";
import { keepaliveChannel, type PageChannel } from "./urgent-channel";

export interface DirectModeContext {
  quota: KeepaliveQuota;
  limits: { maxBodyBytes: number; maxPoints: number; timeout: number };
  globalTags: Tags;
  registry: Collectable;
  sliceSize: number;
  yield: () => PromiseLike<void> | void;
}

/**
 * Points per request. The client encodes a request's JSON in one go, so a smaller batch is
 * a shorter block of the main thread (the requests go one after another, the thread free
 * while each is on the wire).
 */
const DIRECT_BATCH_POINTS = 2_000;

/**
 * Direct mode (`endpoint` + `token`): the page's own `Apptuit` client sends gzipped
 * OpenTSDB JSON (keepalive while the quota has room), the page-hide flush plain JSON with
 * keepalive `fetch`es. Its own module, so that the relay-only entry never carries the client.
 */
export function directMode(
  options: BrowserInitOptions<PageMetrics>,
  ctx: DirectModeContext,
): { client: Apptuit; sender: ReporterSender; channel: PageChannel; reporter: ApptuitReporter } {
  const { token } = options;
  const client = new Apptuit({
    maxPointsPerRequest: DIRECT_BATCH_POINTS,
    ...options.clientOptions,
    token,
    endpoint: options.endpoint,
    globalTags: ctx.globalTags,
    fetch: keepaliveFetch(ctx.quota),
  });
  // The page-hide channel authenticates exactly as the client does (`token: null` or `auth: false`: not at all).
  const auth = token && options.clientOptions?.auth !== false ? token : null;
  const reporter = new ApptuitReporter({
    registry: ctx.registry,
    client,
    interval: options.interval ?? 10_000,
    temporality: options.temporality ?? "delta",
    retryBuffer: options.retryBuffer ?? { maxPoints: 10_000, maxBytes: 2 * 1024 * 1024 },
    sliceSize: ctx.sliceSize,
    yield: ctx.yield,
    ...(options.prefix !== undefined && { prefix: options.prefix }),
    ...(options.tags !== undefined && { tags: options.tags }),
    ...(options.onError !== undefined && { onError: options.onError }),
  });
  return {
    client,
    sender: client,
    reporter,
    channel: keepaliveChannel(`${client.endpoints.write}/api/put?details`, auth, ctx.quota, ctx.limits),
  };
}
