import { Apptuit } from "../../../core/client";
import type { DataPoint, Tags } from "../../../core/types";
import type { WirePoint } from "../../../core/wire";
import { seriesKey } from "../../../relay/aggregate/series-key";
import type { DeltaRow } from "../../../relay/compact-v2";
import { DELTA_KINDS, kindCode } from "../../../relay/delta-kinds";
import { RELAY_DEFAULTS, type AggregateOptions } from "../../../relay/options";
import type { ReporterSender } from "../../../reporter/options";
import { shardStub } from "./binding";
import { acceptAt, shardOf, type AggregatorStub } from "./protocol";
import type { DurableObjectNamespaceLike } from "./runtime";

/** The client key isolates' batches are budgeted under. */
const ISOLATE_CLIENT = "workers-isolate";

/**
 * An isolate's reporter sends its deltas and sketches to the aggregator objects instead
 * of the write API (docs/durable-objects.md): points are checked and named by the core
 * client's `prepare`, then each goes to its series' shard. A shard that does not take its
 * part leaves exactly those points undelivered, which the reporter keeps for its next
 * flush; what the other shards took is never sent twice.
 */
export function durableSender(
  namespace: DurableObjectNamespaceLike<AggregatorStub>,
  shards: number,
  env: Record<string, string>,
  aggregate: AggregateOptions = {},
): ReporterSender {
  const client = new Apptuit({ env });
  const d = RELAY_DEFAULTS;
  const config = {
    windowMs: aggregate.windowMs ?? d.windowMs,
    graceMs: aggregate.graceMs ?? d.graceMs,
    maxBufferedPoints: aggregate.maxBufferedPoints ?? d.maxBufferedPoints,
    seriesPerWindow: Math.ceil(d.seriesPerWindow / shards),
    newSeriesPerClient: Math.ceil(d.seriesPerWindow / shards),
    writerTags: {},
  };
  return {
    redact: (text) => client.redact(text),
    prepare(points: readonly DataPoint[], options?: { tags?: Tags }): WirePoint[] {
      const prepared = client.prepare(points as DataPoint[], options);
      // Kinds and deltas ride along to the objects (one prepared point per input point, in order).
      for (let i = 0; i < points.length; i++) {
        const delta = points[i]!.delta;
        if (delta !== undefined) prepared[i]!.delta = delta;
      }
      return prepared;
    },
    async sendPrepared(points: WirePoint[]): Promise<void> {
      const groups = new Map<number, { rows: DeltaRow[]; points: WirePoint[] }>();
      for (const point of points) {
        const kind = DELTA_KINDS[kindCode(point)]!;
        const { delta } = point;
        const row: DeltaRow = { metric: point.metric, tags: point.tags, timestamp: point.timestamp, kind, value: point.value };
        if (delta !== undefined && "sum" in delta)
          row.dist = {
            sum: delta.sum,
            sumsq: delta.sumsq,
            min: delta.min,
            max: delta.max,
            zero: delta.zero,
            pos: delta.pos,
            neg: delta.neg,
          };
        const shard = shardOf(seriesKey(row), shards);
        let group = groups.get(shard);
        if (group === undefined) groups.set(shard, (group = { rows: [], points: [] }));
        group.rows.push(row);
        group.points.push(point);
      }
      const undelivered: WirePoint[] = [];
      let cause: unknown;
      await Promise.all(
        [...groups].map(async ([shard, group]) => {
          try {
            const answer = await acceptAt(shardStub(namespace, shard), {
              rows: group.rows,
              client: ISOLATE_CLIENT,
              config: { ...config, shard },
            });
            if (answer.status >= 300)
              throw new Error(`aggregator shard ${shard} refused: ${"message" in answer ? answer.message : answer.status}`);
          } catch (error) {
            cause = error;
            undelivered.push(...group.points);
          }
        }),
      );
      if (undelivered.length > 0) {
        throw Object.assign(new Error(`${undelivered.length} points not taken by the aggregator`, { cause }), {
          name: "ApptuitNetworkError",
          undelivered,
        });
      }
    },
  };
}
