/**
 * The few Durable Object shapes the aggregator touches, written structurally (no
 * `@cloudflare/workers-types` needed). The object speaks over its stub's `fetch`, not RPC:
 * RPC needs a base class from the runtime-only module `cloudflare:workers`, which would
 * keep `apptuit/workers` from loading anywhere else (Node, bundlers' IIFE builds, tests).
 */

export interface SqlCursor {
  toArray(): Record<string, unknown>[];
}

export interface DurableObjectStateLike {
  storage: {
    sql: { exec(query: string, ...bindings: unknown[]): SqlCursor };
    transactionSync<T>(fn: () => T): T;
    getAlarm(): Promise<number | null>;
    setAlarm(scheduledTime: number): Promise<void>;
  };
  blockConcurrencyWhile<T>(fn: () => Promise<T>): Promise<T>;
}

/** A Durable Object namespace binding (`env.APPTUIT_AGGREGATOR`). */
export interface DurableObjectNamespaceLike<Stub> {
  idFromName(name: string): unknown;
  get(id: unknown): Stub;
}
