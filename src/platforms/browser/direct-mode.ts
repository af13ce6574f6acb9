import type { ApptuitClient } from "../../core/client-base";
import type { ApptuitOptions } from "../../core/options";
import type { DataPoint, Tags } from "../../core/types";
import type { WirePoint } from "../../core/wire";
import { consoleErrorHandler } from "../../reporter/error-handler";
import { MetaMetrics } from "../../reporter/meta-metrics";
import { prepareValid } from "../../reporter/prepare-valid";
import type { PageMode } from "./init";
import { type PageSettle, pageReporter } from "./page-reporter";
import type { SendOutcome } from "../../core/outcome";
import { outcomeShares } from "../../reporter/send-outcome";
import { keepaliveFetch } from "./keepalive-fetch";
import { keepaliveChannel } from "./urgent-channel";

/**
 * Points per request. The client encodes a request's JSON in one go, so a smaller batch is
 * a shorter block of the main thread (the requests go one after another, the thread free
 * while each is on the wire).
 */
const DIRECT_BATCH_POINTS = 2_000;

/**
 * Direct mode (`endpoint` + `token`) with the entry's client class — `Apptuit` (ky) in
 * `apptuit/browser`, the `fetch`-only `PageClient` in the script tag: the page's reporter
 * (the one relay pages run, here collecting Dropwizard fields, which the write API stores)
 * hands its points to the page's own client, which sends gzipped OpenTSDB JSON (keepalive
 * while the quota has room); the page-hide flush sends plain JSON with keepalive
 * `fetch`es. Its own module, so that the relay-only entry never carries the client.
 */
export const directMode =
  (Client: new (options: ApptuitOptions) => ApptuitClient): PageMode =>
  (options, ctx) => {
    const { token } = options;
    const client = new Client({
      maxPointsPerRequest: DIRECT_BATCH_POINTS,
      ...options.clientOptions,
      token,
      endpoint: options.endpoint,
      globalTags: ctx.globalTags,
      fetch: keepaliveFetch(ctx.quota),
    });
    // The page-hide channel authenticates exactly as the client does (`token: null` or `auth: false`: not at all).
    const auth = token && options.clientOptions?.auth !== false ? token : null;
    // The client's `prepare` throws at the first invalid point; the page reporter sets each one aside.
    const sender = {
      prepareValid: (points: readonly DataPoint[], tags: Tags | undefined) => prepareValid(client, points, tags),
      deliver: async (points: WirePoint[], settle: PageSettle) => settleOutcome(await client.deliver(points), points.length, settle),
    };
    const reporter = pageReporter({
      registry: ctx.registry,
      sender,
      collect: { form: "fields", temporality: options.temporality ?? "delta" },
      // The write API stores what it is sent: the 9 field points, counting each flush whatever the temporality.
      sendStats: new MetaMetrics(),
      interval: options.interval ?? 10_000,
      retryBuffer: options.retryBuffer ?? { maxPoints: 10_000, maxBytes: 2 * 1024 * 1024 },
      sliceSize: ctx.sliceSize,
      yield: ctx.yield,
      // The default handler masks the token, should a message ever carry it.
      onError: options.onError === undefined ? consoleErrorHandler((text) => client.redact(text)) : options.onError,
      ...(options.prefix !== undefined && { prefix: options.prefix }),
      ...(options.tags !== undefined && { tags: options.tags }),
    });
    return {
      client,
      sender,
      reporter,
      channel: keepaliveChannel(`${client.endpoints.write}/api/put?details`, auth, ctx.quota, ctx.limits),
    };
  };

/**
 * The client's outcome of `n` points settled as a relay page settles its bodies: stored,
 * refused for good, the rest back to the retry buffer (or rejected when a retry cannot
 * help). Counts are clamped to the `n` points given: points the outcome does not account
 * for are rejected, never counted as delivered.
 */
export function settleOutcome(outcome: SendOutcome, n: number, settle: PageSettle): void {
  const { stored, rejected, unaccounted, undelivered, retryable } = outcomeShares(outcome, n);
  const refused = rejected + unaccounted;
  settle.delivered(stored);
  const failure = outcome.failure;
  const status = (failure?.error as { statusCode?: number } | undefined)?.statusCode;
  if (refused > 0)
    settle.rejected(
      refused,
      outcome.reasons.length > 0 ? outcome.reasons : [failure?.error ?? new Error(`${refused} point(s) rejected`)],
      outcome.rejectedStatus,
    );
  if (undelivered.length === 0) return;
  if (!retryable) settle.rejected(undelivered.length, [failure?.error], status);
  else settle.retry(undelivered, failure?.error ?? new Error(`${undelivered.length} point(s) undelivered`), status);
}
