// Shared by the relay's real-runtime tests: the embedded backend served on 127.0.0.1 (it
// requires the relay's token, so a point that arrives proves the token was used), waiting,
// comparing what arrived, and background processes stopped by their own process group.
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { expect } from "vitest";
import { createBackend, type Backend, type StoredPoint } from "../../src/backend/index";
import { serve } from "../harness/serve";

export const root = resolve(import.meta.dirname, "../..");
/** Only the servers hosting the relay know it; no page, response or log line may show it. */
export const TOKEN = "relay-e2e-SECRET-4b1d9e";
/** The page origin the relays allow (runtimes without a browser send it as a header). */
export const PAGE = "https://shop.example";
export const COMPACT_TYPE = "application/vnd.apptuit.compact+json";

/** Fails (never skips) with how to get what is missing. */
export function requireFile(path: string, howToGetIt: string): string {
  if (!existsSync(path)) throw new Error(`${path} is missing: ${howToGetIt}`);
  return path;
}

export interface Upstream {
  backend: Backend;
  url: string;
  /** `Authorization` headers of the requests the backend received, in order. */
  authorizations: string[];
  /**
   * Holds every `/api/put` that arrives from now on (it reaches the backend only after the
   * returned `release()`), so a test can prove what happens while a write is unfinished.
   */
  holdPuts(): () => void;
  /** Puts that arrived and are waiting for `release()`. */
  readonly held: number;
  close(): Promise<void>;
}

/** The embedded backend (requiring `TOKEN`) behind node:http on 127.0.0.1. */
export async function startUpstream(): Promise<Upstream> {
  const backend = createBackend({ token: TOKEN });
  let gate: Promise<void> | undefined;
  let held = 0;
  const upstream: Upstream = {
    backend,
    url: "",
    authorizations: [],
    holdPuts() {
      let release!: () => void;
      const current = new Promise<void>((r) => (release = r));
      gate = current;
      return () => {
        if (gate === current) gate = undefined;
        release();
      };
    },
    get held() {
      return held;
    },
    close: async () => {},
  };
  const served = await serve(async (request) => {
    upstream.authorizations.push(request.headers.get("authorization") ?? "");
    if (gate !== undefined && new URL(request.url).pathname.endsWith("/api/put")) {
      held++;
      try {
        await gate;
      } finally {
        held--;
      }
    }
    return backend.fetch(request);
  });
  upstream.url = served.url;
  upstream.close = served.close;
  return upstream;
}

export async function until(what: string, check: () => boolean, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Proves the relay answers before its write finishes: every put is held while `send()`
 * must be answered (a relay that waited for the write would never answer: a clear failure
 * after `timeoutMs`); `inspect` checks the answer; then the write must arrive, still held,
 * with nothing stored yet. Released whatever happens.
 */
export async function answeredBeforeWrite<R>(
  upstream: Upstream,
  send: () => Promise<R>,
  inspect: (response: R) => Promise<void>,
  timeoutMs = 15_000,
): Promise<void> {
  const release = upstream.holdPuts();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`no answer within ${timeoutMs} ms while the write was held: the relay waits for the write before answering`)),
      timeoutMs,
    );
  });
  try {
    const response = await Promise.race([send(), timeout]);
    clearTimeout(timer);
    await inspect(response);
    // waitUntil / `after` carries the write on after the response: its put arrives, and is held.
    await until("the put (held)", () => upstream.held === 1);
    expect(upstream.backend.points()).toEqual([]);
  } finally {
    clearTimeout(timer);
    release();
  }
}

export interface Point {
  metric: string;
  timestamp: number;
  value: number;
  tags: Record<string, string>;
}

/** A canonical, order-free form of points, so two lists compare as multisets. */
export function canonical(points: ReadonlyArray<Point | StoredPoint>): string[] {
  return points
    .map((p) => JSON.stringify([p.metric, p.timestamp, p.value, Object.entries(p.tags).sort(([a], [b]) => (a < b ? -1 : 1))]))
    .sort();
}

/** Points as the backend must store them: the page's tags plus the relay's server tags. */
export function withTags(points: ReadonlyArray<Point>, tags: Record<string, string>): Point[] {
  return points.map((p) => ({ ...p, tags: { ...p.tags, ...tags } }));
}

/** `n` points over a few series with fractional values, at whole seconds from `t0`. */
export function makePoints(metric: string, n: number, t0: number, tags: Record<string, string> = {}): Point[] {
  return Array.from({ length: n }, (_, i) => ({
    metric,
    timestamp: t0 + Math.floor(i / 3),
    value: Math.round((i * 37.25 + 0.5) * 100) / 100,
    tags: { ...tags, series: `s${i % 3}` },
  }));
}

/** The token must not be in any header or in the body of a response (fetch's or miniflare's). */
export async function expectNoToken(response: { text(): Promise<string>; headers: Iterable<[string, string]> }): Promise<string> {
  const body = await response.text();
  expect(body).not.toContain(TOKEN);
  for (const [name, value] of response.headers) expect(`${name}: ${value}`).not.toContain(TOKEN);
  return body;
}

export interface Background {
  child: ChildProcess;
  output(): string;
  /** Resolves with the first stdout/stderr match of `pattern`, or rejects on exit/timeout. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  stop(): Promise<void>;
}

/** A long-running program in its own process group (stop() ends it and its children). */
export function startBackground(command: string, args: string[], options: { cwd?: string; env: NodeJS.ProcessEnv }): Background {
  const child = spawn(command, args, { cwd: options.cwd ?? root, env: options.env, stdio: ["ignore", "pipe", "pipe"], detached: true });
  let output = "";
  const listeners = new Set<() => void>();
  const onData = (d: Buffer) => {
    output += d.toString();
    for (const l of listeners) l();
  };
  child.stdout!.on("data", onData);
  child.stderr!.on("data", onData);
  const exited = new Promise<void>((r) => child.once("exit", () => r()));
  const tail = () => (output.length > 4000 ? `…${output.slice(-4000)}` : output);
  const alive = () => child.exitCode === null && child.signalCode === null;
  const signal = (sig: NodeJS.Signals) => {
    try {
      if (child.pid !== undefined) process.kill(-child.pid, sig);
    } catch {
      // already gone
    }
  };
  return {
    child,
    output: () => output,
    waitFor(pattern, timeoutMs = 30_000) {
      return new Promise((resolvePromise, reject) => {
        const check = () => {
          const match = output.match(pattern);
          if (match) return done(() => resolvePromise(match));
          if (!alive())
            return done(() => reject(new Error(`${command} exited (${child.exitCode ?? child.signalCode}) before ${pattern}:\n${tail()}`)));
        };
        const timer = setTimeout(
          () => done(() => reject(new Error(`${command}: no ${pattern} within ${timeoutMs} ms:\n${tail()}`))),
          timeoutMs,
        );
        const done = (then: () => void) => {
          clearTimeout(timer);
          listeners.delete(check);
          child.off("exit", check);
          then();
        };
        listeners.add(check);
        child.on("exit", check);
        check();
      });
    },
    async stop() {
      if (!alive()) return;
      signal("SIGTERM");
      const ended = await Promise.race([exited.then(() => true), sleep(5_000).then(() => false)]);
      if (!ended) {
        signal("SIGKILL");
        await exited;
      }
    },
  };
}
