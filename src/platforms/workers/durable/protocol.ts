import type { DeltaRow } from "../../../relay/compact-v2";
import type { AggregateConfig } from "../../../relay/options";

/** What a relay or an isolate tells a shard with each batch: the aggregation settings, its share of the budgets, its number. */
export interface ShardConfig extends AggregateConfig {
  shard: number;
}

/** A shard's answer to `accept`: taken into durable storage (204), or refused whole and counted. */
export type AcceptAnswer = { status: 204 } | Refusal;

export interface Refusal {
  status: number;
  reason: string;
  message: string;
  retryAfter?: string | undefined;
}

/** What a shard holds and has done (tests, dashboards). */
export interface ShardStats {
  /** Series held in open windows. */
  series: number;
  /** Windows taken and turned into points (written, or waiting in the backlog). */
  windows: number;
  /** Points written to the write API. */
  points: number;
  /** Points in the backlog of windows not yet written. */
  backlog: number;
  /** Points given up: past the backlog's bound, or refused by the write API. */
  dropped: number;
  refused: Record<string, number>;
  late: number;
}

/** A Durable Object stub: requests go to the object's `fetch`. */
export interface AggregatorStub {
  fetch(input: string, init?: RequestInit): Promise<Response>;
}

/** Base URL of requests to an object (the host is never resolved: the stub delivers them). */
export const AGGREGATOR_ORIGIN = "https://apptuit-aggregator";

/** Body of `POST /accept`. */
export interface AcceptRequest {
  rows: DeltaRow[];
  client: string;
  config: ShardConfig;
}

/** Sends one batch to a shard's object; resolves with its answer. */
export async function acceptAt(stub: AggregatorStub, request: AcceptRequest): Promise<AcceptAnswer> {
  const response = await stub.fetch(`${AGGREGATOR_ORIGIN}/accept`, {
    method: "POST",
    body: JSON.stringify(request),
    headers: { "content-type": "application/json" },
  });
  if (!response.ok) throw new Error(`aggregator answered ${response.status}`);
  return (await response.json()) as AcceptAnswer;
}

/** Name of shard `i`'s object: fixed, so every isolate reaches the same object for a series. */
export function shardName(i: number): string {
  return `apptuit-aggregator-${i}`;
}

/** Shard of a series key: FNV-1a, well spread and the same in every isolate. */
export function shardOf(key: string, shards: number): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0) % shards;
}
