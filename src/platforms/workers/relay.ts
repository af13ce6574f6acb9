import { ApptuitConfigError } from "../../core/errors/config-error";
import type { RelayHandler, RelayOptions } from "../../relay/options";
import { createRelay } from "../../relay/relay";
import { shardCount } from "./durable/binding";
import { shardedAggregator } from "./durable/sharded-aggregator";

export interface WorkersRelayOptions extends Omit<RelayOptions, "remoteAggregator"> {
  /**
   * Name of the Durable Object binding of the exported `ApptuitAggregator` class (e.g.
   * `"APPTUIT_AGGREGATOR"`): compact v2 deltas are then merged there, one writer per series.
   * Required unless `aggregate: false`.
   */
  aggregator?: string;
  /** Objects the series are spread over (default 8; docs/durable-objects.md). Keep it fixed once deployed. */
  shards?: number;
}

/**
 * The relay for a Cloudflare Worker (docs/durable-objects.md): `createRelay`'s handler,
 * aggregating through Durable Objects, since an isolate must never aggregate on its own.
 * Pass the request's `env` (and `waitUntil`) as the context:
 * `fetch: (request, env, ctx) => relay(request, { env, waitUntil: (p) => ctx.waitUntil(p) })`.
 */
export function createWorkersRelay(options: WorkersRelayOptions): RelayHandler {
  const { aggregator: binding, shards: shardsGiven, ...rest } = options;
  if (options.aggregate === false) return createRelay(rest);
  if (typeof binding !== "string" || binding === "") {
    throw new ApptuitConfigError(
      "createWorkersRelay needs one of two choices: `aggregator`, the name of the Durable Object binding " +
        'of the exported ApptuitAggregator class (e.g. "APPTUIT_AGGREGATOR"), to aggregate there; ' +
        "or `aggregate: false` to pass every request through. An isolate cannot aggregate on its own: " +
        "many run at once and each would write the same series at the same timestamps.",
    );
  }
  const shards = shardCount(shardsGiven);
  return createRelay({ ...rest, remoteAggregator: shardedAggregator(binding, shards, (context) => context.env ?? options.env) });
}
