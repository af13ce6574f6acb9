// Shared by test/node and test/deno: run a fixture program in a real runtime against the
// embedded backend served over HTTP, and read what arrived.
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { expect } from "vitest";
import { createBackend } from "../../src/backend/index";
import type { Backend, StoredPoint } from "../../src/backend/index";
import { serve } from "../harness/serve";

export const root = resolve(import.meta.dirname, "../..");
export const TOKEN = "runtime-test-token";

/** Fails (never skips) with how to get what is missing. */
export function requireFile(path: string, howToGetIt: string): string {
  if (!existsSync(path)) throw new Error(`${path} is missing: ${howToGetIt}`);
  return path;
}

export interface LocalBackend {
  backend: Backend;
  url: string;
  close(): Promise<void>;
}

export async function startBackend(): Promise<LocalBackend> {
  const backend = createBackend({ token: TOKEN });
  const served = await serve((request) => backend.fetch(request));
  return { backend, url: served.url, close: served.close };
}

export interface Finished {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** True when the program did not end by itself within the deadline and was killed. */
  killed: boolean;
}

export interface RunOptions {
  env: Record<string, string>;
  /** The program must end by itself before this; longer means something kept it alive. */
  deadlineMs?: number;
  /** Called for each stdout line, e.g. to send a signal once the program is ready. */
  onLine?: (line: string, kill: (signal: NodeJS.Signals) => void) => void;
}

/** Runs a program with only the given environment (no APPTUIT_* leaks in from ours). */
export function run(command: string, args: string[], options: RunOptions): Promise<Finished> {
  const child = spawn(command, args, {
    cwd: root,
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", NO_COLOR: "1", ...options.env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  let pending = "";
  let killed = false;
  const timer = setTimeout(() => {
    killed = true;
    child.kill("SIGKILL");
  }, options.deadlineMs ?? 30_000);
  child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
    stdout += chunk;
    pending += chunk;
    let nl: number;
    while ((nl = pending.indexOf("\n")) >= 0) {
      const line = pending.slice(0, nl);
      pending = pending.slice(nl + 1);
      options.onLine?.(line, (signal) => child.kill(signal));
    }
  });
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
  return new Promise((resolvePromise, reject) => {
    child.on("error", reject);
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      resolvePromise({ code, signal, stdout, stderr, killed });
    });
  });
}

/** The `RESULT {...}` line the fixture prints after its own send and query. */
export function fixtureResult(finished: Finished): {
  sent: number;
  outputs: { id: string; series: { metric: string; tags: Record<string, string>; values: number[] }[] }[];
} {
  const line = finished.stdout.split("\n").find((l) => l.startsWith("RESULT "));
  if (!line) throw new Error(`no RESULT line; stdout:\n${finished.stdout}\nstderr:\n${finished.stderr}`);
  return JSON.parse(line.slice("RESULT ".length));
}

const METER = ["count", "mean_rate", "1m_rate", "5m_rate", "15m_rate"];
const HISTOGRAM = [
  "count",
  "avg",
  "min",
  "max",
  "std_dev",
  "50_percentile",
  "75_percentile",
  "95_percentile",
  "99_percentile",
  "999_percentile",
];
/** Every registry point one flush of the fixture's metrics yields, sanitized (docs/wire-format.md, docs/metrics.md). */
export const REGISTRY_METRICS = [
  "jobs_done_count",
  ...[...new Set([...METER, ...HISTOGRAM, "sum"])].map((f) => `job_time_${f}`),
  ...HISTOGRAM.map((f) => `payload_size_${f}`),
].sort();

/** Points the reporter sent (everything but the fixture's own `send`). */
export function reporterPoints(backend: Backend): StoredPoint[] {
  return backend.points().filter((p) => p.metric !== "direct_value");
}

/** The reporter's final flush arrived whole, once: each registry field exactly once, exact values. */
export function expectFinalFlush(backend: Backend, n: number): StoredPoint[] {
  const points = reporterPoints(backend).filter((p) => !p.metric.startsWith("apptuit_reporter_"));
  expect(points.map((p) => p.metric).sort()).toEqual(REGISTRY_METRICS);
  const value = (metric: string) => points.find((p) => p.metric === metric)?.value;
  expect(value("jobs_done_count")).toBe(n);
  expect(value("job_time_count")).toBe(3);
  expect(value("payload_size_count")).toBe(4);
  expect(value("payload_size_min")).toBe(1);
  expect(value("payload_size_max")).toBe(4);
  expect(value("payload_size_avg")).toBe(2.5);
  expect(points.find((p) => p.metric === "jobs_done_count")?.tags.kind).toBe("fixture");
  return points;
}

/** The fixture's own `client.send` was stored and its `query` read it back. */
export function expectSendAndQuery(finished: Finished, backend: Backend): void {
  const result = fixtureResult(finished);
  expect(result.sent).toBe(1);
  const direct = backend.points().filter((p) => p.metric === "direct_value");
  expect(direct).toHaveLength(1);
  expect(direct[0]!.value).toBe(42);
  const series = result.outputs.flatMap((o) => o.series);
  expect(series).toHaveLength(1);
  expect(series[0]!.metric).toBe("direct_value");
  expect(series[0]!.tags.src).toBe("fixture");
  expect(series[0]!.values).toEqual([42]);
}
