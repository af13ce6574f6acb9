// Shared rig of the reliability suite: a real MetricsRegistry and ApptuitReporter sending
// through a real Apptuit client to a FaultServer, plus a ledger that classifies every
// call of the reporter's error handler, so the books can be checked point for point.
import { Apptuit } from "../../src/core/client";
import type { ApptuitOptions } from "../../src/core/options";
import { ApptuitError } from "../../src/core/errors/apptuit-error";
import { ApptuitHttpError } from "../../src/core/errors/http-error";
import { ApptuitNetworkError } from "../../src/core/errors/network-error";
import { ApptuitValidationError } from "../../src/core/errors/validation-error";
import type { DataPoint, Tags } from "../../src/core/types";
import type { WirePoint } from "../../src/core/wire";
import { MetricsRegistry } from "../../src/registry";
import { ApptuitDroppedError, ApptuitReporter } from "../../src/reporter";
import type { ApptuitReporterOptions, ReporterSender } from "../../src/reporter/options";
import { identity } from "./fault-server";

/** Distinctive, so that a leak anywhere is found by plain substring search. */
export const TOKEN = "tok-RELIABILITY-5ecr3t-9f8e7d6c5b4a";

export type RetryOptions = Exclude<NonNullable<ApptuitOptions["retry"]>, number>;

/**
 * What the error handler was told, by kind of loss:
 * - `rejected`: given up for good (400 rows, 401/403, other permanent 4xx, invalid points);
 * - `dropped`: evicted from the full retry buffer (ApptuitDroppedError);
 * - `deferred`: not stored yet, kept for retry (5xx, 429, network, timeout) — not a loss.
 */
export class Ledger {
  rejected = 0;
  dropped = 0;
  deferred = 0;
  /** Identities the server named in 400 details. */
  readonly rejectedIds = new Set<string>();
  readonly calls: { status: number | undefined; successful: number; failed: number; errors: unknown[] }[] = [];
  /** Errors that are not the SDK's own (would mean a bug path in the reporter). */
  readonly foreign: unknown[] = [];

  readonly handler = (status: number | undefined, successful: number, failed: number, errors: unknown[]): void => {
    this.calls.push({ status, successful, failed, errors });
    const first = errors[0];
    if (first instanceof ApptuitDroppedError) {
      this.dropped += failed;
    } else if (isRow(first)) {
      this.rejected += failed;
      for (const row of errors) if (isRow(row)) this.rejectedIds.add(identity(row.datapoint as WirePoint));
    } else if (first instanceof ApptuitValidationError) {
      this.rejected += failed;
    } else if (first instanceof ApptuitNetworkError || (first instanceof ApptuitHttpError && retryable(first.statusCode))) {
      this.deferred += failed;
    } else if (first instanceof ApptuitHttpError) {
      this.rejected += failed;
    } else {
      this.foreign.push(first);
      this.rejected += failed;
    }
  };

  /** Every error object the handler received (for leak checks). */
  errors(): unknown[] {
    return this.calls.flatMap((c) => c.errors);
  }
}

function retryable(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}

function isRow(x: unknown): x is { datapoint: unknown; error: string } {
  return typeof x === "object" && x !== null && !(x instanceof Error) && "datapoint" in x && "error" in x;
}

export interface RigOptions {
  endpoint: string;
  retry?: RetryOptions;
  /** Per-attempt timeout (ms). */
  timeout?: number;
  interval?: number;
  retryBuffer?: ApptuitReporterOptions["retryBuffer"];
  maxPointsPerRequest?: number;
  temporality?: "cumulative" | "delta";
  /** Series of each kind in the workload. */
  series?: number;
}

/** Fast retries for tests: 3 retries, full jitter on 20·2^(n−1) ms capped at 80 ms. */
export const FAST_RETRY: RetryOptions = { limit: 3, delay: (n) => 20 * 2 ** (n - 1), backoffLimit: 80, maxRetryAfter: 2_500 };

export interface Rig {
  registry: MetricsRegistry;
  reporter: ApptuitReporter;
  client: Apptuit;
  ledger: Ledger;
  /** Identities of every point the reporter prepared (valid points only). */
  prepared: Set<string>;
  /** Records one round of updates on every series. */
  update(): void;
  /** Runs `update` every `every` ms until the returned stop function is called. */
  drive(every?: number): () => void;
}

export function rig(options: RigOptions): Rig {
  const registry = new MetricsRegistry();
  const client = new Apptuit({
    token: TOKEN,
    endpoint: options.endpoint,
    retry: options.retry ?? FAST_RETRY,
    timeout: options.timeout ?? 2_000,
    globalTags: { service: "reliability" },
    ...(options.maxPointsPerRequest ? { maxPointsPerRequest: options.maxPointsPerRequest } : {}),
  });
  const prepared = new Set<string>();
  // The reporter's view of the client, recording the identity of every prepared point.
  const sender: ReporterSender = {
    prepare(points: readonly DataPoint[], opts?: { tags?: Tags }) {
      const rows = client.prepare(points, opts);
      for (const row of rows) prepared.add(identity(row));
      return rows;
    },
    sendPrepared: (points, opts) => client.sendPrepared(points, opts),
  };
  const ledger = new Ledger();
  const reporter = new ApptuitReporter({
    registry,
    client: sender,
    interval: options.interval ?? 60_000,
    onError: ledger.handler,
    tags: { host: "rig" },
    temporality: options.temporality ?? "cumulative",
    ...(options.retryBuffer ? { retryBuffer: options.retryBuffer } : {}),
  });
  const n = options.series ?? 5;
  const counters = Array.from({ length: n }, (_, i) => registry.counter("requests", { route: `/r${i}` }));
  const timers = Array.from({ length: Math.max(1, n >> 2) }, (_, i) => registry.timer("latency", { route: `/r${i}` }));
  let round = 0;
  const update = () => {
    round++;
    for (const c of counters) c.inc();
    for (const t of timers) t.update(5 + (round % 17));
  };
  const drive = (every = 10) => {
    const handle = setInterval(update, every);
    return () => clearInterval(handle);
  };
  return { registry, reporter, client, ledger, prepared, update, drive };
}

/** Resolves after `ms` real milliseconds. */
export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Every string form an error can take on its way into a log: message, stack, JSON, inspect. */
export async function renderings(error: unknown): Promise<string[]> {
  const { inspect } = await import("node:util");
  const out = [String(error), inspect(error, { depth: 8, showHidden: true })];
  try {
    out.push(JSON.stringify(error));
  } catch {
    out.push("(not JSON-serialisable)");
  }
  if (error instanceof Error) {
    out.push(error.message, error.stack ?? "");
    let cause: unknown = error.cause;
    for (let i = 0; i < 5 && cause !== undefined; i++) {
      out.push(String(cause), inspect(cause, { depth: 8, showHidden: true }));
      cause = cause instanceof Error ? cause.cause : undefined;
    }
  }
  return out;
}

export { ApptuitError };
