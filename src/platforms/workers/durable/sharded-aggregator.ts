import { seriesKey } from "../../../relay/aggregate/series-key";
import type { DeltaRow } from "../../../relay/compact-v2";
import { RelayError } from "../../../relay/errors/relay-error";
import type { AggregateConfig, RelayContext, RemoteAggregator } from "../../../relay/options";
import { aggregatorNamespace, shardStub } from "./binding";
import { acceptAt, shardOf, type Refusal } from "./protocol";

/**
 * Deltas → the Durable Objects that aggregate them: each row goes to the shard of its
 * series (a hash of kind, name and sorted tags), every shard of a batch in parallel (a request to the object's `fetch`), and
 * each shard enforces its share (⌈budget / shards⌉) of the series budgets.
 *
 * A batch is answered 2xx when every shard took its part into durable storage. When every
 * shard refused, the refusal goes back to the writer (nothing was taken, it may retry).
 * When only some refused, what the others took stays and the rest is counted as refused
 * by its shard: answering an error would make the writer send again what was already taken.
 */
export function shardedAggregator(binding: string, shards: number, env: (context: RelayContext) => unknown): RemoteAggregator {
  return {
    async accept(rows: DeltaRow[], client: string, context: RelayContext, config: AggregateConfig): Promise<void> {
      const namespace = aggregatorNamespace(env(context), binding);
      const groups = new Map<number, DeltaRow[]>();
      for (const row of rows) {
        const shard = shardOf(seriesKey(row), shards);
        let group = groups.get(shard);
        if (group === undefined) groups.set(shard, (group = []));
        group.push(row);
      }
      const share = (budget: number) => Math.ceil(budget / shards);
      const answers = await Promise.allSettled(
        [...groups].map(([shard, part]) =>
          acceptAt(shardStub(namespace, shard), {
            rows: part,
            client,
            config: {
              ...config,
              seriesPerWindow: share(config.seriesPerWindow),
              newSeriesPerClient: share(config.newSeriesPerClient),
              shard,
            },
          }),
        ),
      );
      const taken = answers.filter((a) => a.status === "fulfilled" && a.value.status < 300).length;
      if (taken > 0) return;
      const refused = answers.find((a): a is PromiseFulfilledResult<Refusal> => a.status === "fulfilled");
      if (refused !== undefined) {
        const { status, message, reason, retryAfter } = refused.value;
        throw new RelayError(status, message, { reason, headers: retryAfter === undefined ? {} : { "Retry-After": retryAfter } });
      }
      // No shard answered (an object overloaded or being moved): nothing was taken, the writer may retry.
      throw new RelayError(503, "aggregator unavailable", {
        reason: "aggregator",
        headers: { "Retry-After": "1" },
        cause: (answers[0] as PromiseRejectedResult).reason,
      });
    },
  };
}
