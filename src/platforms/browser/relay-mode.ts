import { ApptuitConfigError } from "../../core/errors/config-error";
import type { PageMode } from "./init";
import { pagePoints } from "./page-points";
import { pageReporter } from "./page-reporter";
import { pageSendStats } from "./page-send-stats";
import { relayDelivery } from "./relay-sender";
import { beaconChannel } from "./urgent-channel";

/**
 * Relay mode (`relayUrl`): the page reporter hands compact bodies to the relay, and the
 * page-hide flush sends beacons there. Its own module, so that the relay-only entries carry
 * neither direct mode nor the choice between the two.
 */
export const relayMode: PageMode = (options, ctx) => {
  const { relayUrl } = options;
  if (relayUrl === undefined)
    throw new ApptuitConfigError('relay only: init needs relayUrl; for endpoint + token use init from "apptuit/browser"');
  const sender = {
    prepareValid: pagePoints(ctx.globalTags),
    // The context's quota, tags, limits and slicing, as the relay delivery's options.
    deliver: relayDelivery({ ...ctx, ...ctx.limits, url: relayUrl, fetch: options.clientOptions?.fetch }),
  };
  // A relay merges every tab's kinds and deltas into one write per series and window.
  // The page's options pass as they are (`prefix`, `tags`, `retryBuffer`, `onError`: the
  // reporter reads no other init option), then the context's registry and slicing.
  const reporter = pageReporter({
    ...options,
    ...ctx,
    sender,
    // Counters and a timer, expanded by the relay into the reporter's usual send stats.
    sendStats: pageSendStats(ctx.ownRegistry()),
    interval: options.interval ?? 10_000,
  });
  return { reporter, sender, channel: beaconChannel(relayUrl, ctx.quota, ctx.limits) };
};
