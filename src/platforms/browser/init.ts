import { Apptuit } from "../../core/client";
import { ApptuitConfigError } from "../../core/errors/config-error";
import { MetricsRegistry } from "../../registry/registry";
import { ApptuitReporter } from "../../reporter/reporter";
import type { ReporterSender } from "../../reporter/options";
import type { ReporterPlatform } from "../../reporter/platform";
import { keepaliveFetch } from "./keepalive-fetch";
import { watchPageHide } from "./lifecycle";
import type { BrowserHandle, BrowserInitOptions } from "./options";
import { KeepaliveQuota } from "./quota";
import { RelaySender } from "./relay-sender";
import { startRuntimeMetrics, type WebVitals } from "./runtime-metrics";
import { flushUrgently } from "./urgent-flush";
import { beaconChannel, keepaliveChannel, type UrgentChannel } from "./urgent-channel";

const windowTimers: ReporterPlatform = {
  setInterval: (fn, ms) => window.setInterval(fn, ms),
  clearInterval: (handle) => window.clearInterval(handle as number),
};

/**
 * The body of `init()`; `loadVitals` differs between the ESM entry (a dynamic import, so
 * `web-vitals` loads only with `runtimeMetrics`) and the script-tag build (inlined).
 */
export function initBrowser(options: BrowserInitOptions, loadVitals: () => Promise<WebVitals>): BrowserHandle {
  const { relayUrl, token } = options;
  if (relayUrl !== undefined && token !== undefined) {
    throw new ApptuitConfigError("give either relayUrl (the token stays on the server) or endpoint + token, not both");
  }
  if (relayUrl === undefined && token === undefined) {
    throw new ApptuitConfigError('init() needs relayUrl (recommended, e.g. "/apptuit") or endpoint + token');
  }
  const registry = options.registry ?? new MetricsRegistry();
  const quota = new KeepaliveQuota();
  const limits = { maxBodyBytes: options.maxBodyBytes ?? 65_536, maxPoints: options.maxPointsPerRequest ?? 5_000 };
  const globalTags = options.globalTags ?? { runtime: "browser" };
  const sanitize = options.sanitize ?? "prometheus";

  let client: Apptuit | undefined;
  let sender: ReporterSender;
  let channel: UrgentChannel;
  if (relayUrl !== undefined) {
    const relay = new RelaySender({ url: relayUrl, sanitize, globalTags, ...limits, timeout: options.timeout ?? 10_000, quota });
    sender = relay;
    channel = beaconChannel(relayUrl, quota, limits);
  } else {
    client = new Apptuit({ ...options.clientOptions, token, endpoint: options.endpoint, globalTags, sanitize, fetch: keepaliveFetch(quota) });
    sender = client;
    channel = keepaliveChannel(`${client.endpoints.write}/api/put?details`, token!, quota, limits);
  }

  const reporter = new ApptuitReporter({
    registry,
    client: sender,
    interval: options.interval ?? 10_000,
    temporality: options.temporality ?? "delta",
    retryBuffer: options.retryBuffer ?? { maxPoints: 10_000, maxBytes: 2 * 1024 * 1024 },
    platform: windowTimers,
    ...(options.prefix !== undefined && { prefix: options.prefix }),
    ...(options.tags !== undefined && { tags: options.tags }),
    ...(options.onError !== undefined && { onError: options.onError }),
    // Only so that the default error handler can mask it.
    ...(token !== undefined && { token }),
  });

  const runtime = options.runtimeMetrics
    ? startRuntimeMetrics(registry, loadVitals, (error) => options.onError?.(undefined, 0, 0, [error]))
    : undefined;
  const unwatch =
    options.flushOnHide === false
      ? () => {}
      : watchPageHide(() => {
          runtime?.sync();
          flushUrgently(reporter, sender, channel, quota);
        });

  reporter.start();
  let stopping: Promise<void> | undefined;
  return {
    registry,
    reporter,
    ...(client !== undefined && { client }),
    flush: () => reporter.flush(),
    shutdown: () => {
      unwatch();
      runtime?.stop();
      return (stopping ??= reporter.stop().then(() => undefined));
    },
  };
}
