import { ApptuitConfigError } from "../../../core/errors/config-error";
import { AGGREGATOR_ORIGIN, type AggregatorStub, type ShardStats, shardName } from "./protocol";
import type { DurableObjectNamespaceLike } from "./runtime";

/** Default number of shards (docs/durable-objects.md says how to size it). */
export const DEFAULT_SHARDS = 8;

/** The shard count given (or the default); anything but a positive integer is refused. */
export function shardCount(shards: number | undefined): number {
  const count = shards ?? DEFAULT_SHARDS;
  if (!Number.isInteger(count) || count <= 0) throw new ApptuitConfigError(`shards must be a positive integer, got ${String(shards)}`);
  return count;
}

/** The Durable Object namespace bound as `binding` in `env`; a missing one is refused, naming the binding. */
export function aggregatorNamespace(env: unknown, binding: string): DurableObjectNamespaceLike<AggregatorStub> {
  const namespace = (env as Record<string, unknown> | undefined)?.[binding] as
    | Partial<DurableObjectNamespaceLike<AggregatorStub>>
    | undefined;
  if (typeof namespace?.idFromName !== "function" || typeof namespace.get !== "function") {
    throw new ApptuitConfigError(
      `no Durable Object binding "${binding}" in env: ` +
        "bind the exported ApptuitAggregator class under that name (docs/durable-objects.md)",
    );
  }
  return namespace as DurableObjectNamespaceLike<AggregatorStub>;
}

/** The object of shard `shard`: the same one from every isolate. */
export function shardStub(namespace: DurableObjectNamespaceLike<AggregatorStub>, shard: number): AggregatorStub {
  return namespace.get(namespace.idFromName(shardName(shard)));
}

/**
 * Every shard's own counters (`ShardStats`: accepted, refused, late, buffered points,
 * windows written…), for a status page or an alert. `binding` and `shards` as given to
 * `createWorkersRelay` / `withApptuit`.
 */
export async function aggregatorStats(env: unknown, binding: string, shards?: number): Promise<ShardStats[]> {
  const namespace = aggregatorNamespace(env, binding);
  return Promise.all(
    Array.from({ length: shardCount(shards) }, async (_, shard) => {
      const response = await shardStub(namespace, shard).fetch(`${AGGREGATOR_ORIGIN}/stats`);
      if (!response.ok) throw new Error(`aggregator shard ${shard} answered ${response.status} to /stats`);
      return (await response.json()) as ShardStats;
    }),
  );
}
