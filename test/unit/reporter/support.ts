// Shared fixtures of the reporter tests: a scriptable /api/put server on msw, a manual
// platform (timers fired by hand), a controllable clock and a tiny Collectable.
import { http, HttpResponse } from "msw";
import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll } from "vitest";
import { Apptuit } from "../../../src/core/client";
import type { Collectable, CollectedPoint, Temporality } from "../../../src/core/types";
import type { ReporterPlatform } from "../../../src/reporter";

export const BASE = "http://reporter.test";
export const TOKEN = "tok-SECRET-1234567890";

export interface WireRow {
  metric: string;
  timestamp: number;
  value: number;
  tags: Record<string, string>;
}

/** What the server does with one request: store all, or answer something else. */
export type Reply =
  | { kind: "ok" }
  | { kind: "status"; status: number; headers?: Record<string, string> }
  | { kind: "network" }
  /** 400 with details: rows matching `reject` are refused, the others stored. */
  | { kind: "partial"; reject: (row: WireRow) => boolean };

export class ScriptedServer {
  /** Rows stored, in arrival order. */
  stored: WireRow[] = [];
  /** Rows of every request, stored or not. */
  requests: WireRow[][] = [];
  active = 0;
  maxActive = 0;
  /** Replies for the next requests, in order; `fallback` after that. */
  script: Reply[] = [];
  fallback: Reply = { kind: "ok" };
  /** Called while a request is being handled (e.g. advance a clock, wait). */
  during: (() => void | Promise<void>) | undefined;

  readonly msw = setupServer(
    http.post(`${BASE}/api/put`, async ({ request }) => {
      this.active++;
      this.maxActive = Math.max(this.maxActive, this.active);
      try {
        const rows = (await readJson(request)) as WireRow[];
        this.requests.push(rows);
        await this.during?.();
        const reply = this.script.shift() ?? this.fallback;
        switch (reply.kind) {
          case "ok":
            this.stored.push(...rows);
            return new HttpResponse(null, { status: 204 });
          case "status":
            return new HttpResponse("unavailable", { status: reply.status, headers: reply.headers ?? {} });
          case "network":
            return HttpResponse.error();
          case "partial": {
            const bad = rows.filter(reply.reject);
            this.stored.push(...rows.filter((r) => !reply.reject(r)));
            return HttpResponse.json(
              {
                success: rows.length - bad.length,
                failed: bad.length,
                errors: bad.map((datapoint) => ({ datapoint, error: "rejected by test" })),
              },
              { status: 400 },
            );
          }
        }
      } finally {
        this.active--;
      }
    }),
  );

  /** Sum of stored values of one metric. */
  sum(metric: string): number {
    return this.stored.filter((r) => r.metric === metric).reduce((s, r) => s + r.value, 0);
  }

  /** Last stored value of one metric. */
  last(metric: string): number | undefined {
    return this.stored.filter((r) => r.metric === metric).at(-1)?.value;
  }

  reset(): void {
    this.stored = [];
    this.requests = [];
    this.script = [];
    this.fallback = { kind: "ok" };
    this.during = undefined;
    this.active = 0;
    this.maxActive = 0;
  }
}

async function readJson(request: Request): Promise<unknown> {
  if (request.headers.get("content-encoding") === "gzip" && request.body) {
    return new Response(request.body.pipeThrough(new DecompressionStream("gzip"))).json();
  }
  return request.json();
}

/** A server for the test file, listening for all its tests and reset after each. */
export function useScriptedServer(): ScriptedServer {
  const server = new ScriptedServer();
  beforeAll(() => server.msw.listen({ onUnhandledRequest: "error" }));
  afterEach(() => server.reset());
  afterAll(() => server.msw.close());
  return server;
}

/** A real client on the test server, with no retries of its own (the reporter's buffer is under test). */
export function testClient(options: ConstructorParameters<typeof Apptuit>[0] = {}): Apptuit {
  return new Apptuit({ token: TOKEN, endpoint: BASE, retry: 0, globalTags: { host: "h1" }, ...options });
}

/** Timers fired by hand: `fire()` runs every active interval callback once. */
export class ManualPlatform implements ReporterPlatform {
  private next = 1;
  readonly timers = new Map<number, { fn: () => void; ms: number }>();
  setInterval(fn: () => void, ms: number): unknown {
    const id = this.next++;
    this.timers.set(id, { fn, ms });
    return id;
  }
  clearInterval(handle: unknown): void {
    this.timers.delete(handle as number);
  }
  fire(): void {
    for (const { fn } of [...this.timers.values()]) fn();
  }
}

/** A clock in ms that only moves when told. */
export function manualClock(start = 1_700_000_000_000): { now: () => number; advance: (ms: number) => void } {
  let t = start;
  return { now: () => t, advance: (ms) => void (t += ms) };
}

/**
 * A Collectable with counters only, honouring temporality like the registry: with
 * `delta`, each collect reports what was added since the previous collect.
 */
export class FakeCounters implements Collectable {
  private readonly counts = new Map<string, number>();
  private readonly reported = new Map<string, number>();
  collects = 0;
  /** Extra points returned by every collect (e.g. an invalid value). */
  extra: CollectedPoint[] = [];
  /** Make collect throw this, once. */
  throwOnce: unknown = undefined;

  inc(name: string, n = 1): void {
    this.counts.set(name, (this.counts.get(name) ?? 0) + n);
  }

  collect(options: { now?: number; temporality?: Temporality } = {}): CollectedPoint[] {
    this.collects++;
    if (this.throwOnce !== undefined) {
      const error = this.throwOnce;
      this.throwOnce = undefined;
      throw error;
    }
    const out: CollectedPoint[] = [];
    for (const [name, count] of this.counts) {
      const value = options.temporality === "delta" ? count - (this.reported.get(name) ?? 0) : count;
      this.reported.set(name, count);
      out.push({ metric: `${name}.count`, tags: { kind: "counter" }, value });
    }
    return out.concat(this.extra);
  }
}

/** `recorded === delivered + rejected + dropped + buffered + inFlight`, and nothing in flight. */
export function accounted(stats: {
  recorded: number;
  delivered: number;
  rejected: number;
  dropped: number;
  buffered: number;
  inFlight: number;
}): boolean {
  return stats.inFlight === 0 && stats.recorded === stats.delivered + stats.rejected + stats.dropped + stats.buffered;
}
