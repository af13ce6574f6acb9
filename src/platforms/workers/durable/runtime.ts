/**
 * The few Durable Object shapes the aggregator touches, written structurally (no
 * `@cloudflare/workers-types` needed), and the runtime's base class.
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

type Base = new (ctx: DurableObjectStateLike, env: unknown) => object;

// RPC on a Durable Object's stub needs its class to extend the runtime's own base class,
// which only exists inside workerd, as the module `cloudflare:workers`. Imported only
// there (the specifier in a variable, so bundlers and Node leave it alone), so that
// `apptuit/workers` still loads anywhere else (tests, type checks, a Node demo).
const MODULE = "cloudflare:workers";
const onWorkers = (globalThis as { navigator?: { userAgent?: string } }).navigator?.userAgent === "Cloudflare-Workers";

export const DurableObjectBase: Base = onWorkers
  ? ((await import(/* @vite-ignore */ MODULE)) as { DurableObject: Base }).DurableObject
  : class {
      constructor(_ctx: DurableObjectStateLike, _env: unknown) {}
    };
