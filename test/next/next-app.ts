// Builds and starts a Next.js 16 test app (test/next/middleware-app, test/next/proxy-app) as
// a real `next build` + `next start`, spawned directly (not through npx) and stopped by its
// process group. Each test file builds its app once, in beforeAll, and runs all its tests
// against that one server (builds are the slow part).
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, rmSync } from "node:fs";
import { dirname, resolve } from "node:path";
import type { Backend } from "../../src/backend/index";

export const root = resolve(import.meta.dirname, "../..");
/** The test apps, one directory each under test/next. */
export const appDir = (name: "middleware-app" | "proxy-app") => resolve(root, "test/next", name);
const nextBin = resolve(root, "node_modules/.bin/next");

/** The environment of both steps: telemetry off, production mode, our Node first on PATH. */
function nextEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  return {
    ...process.env,
    NODE_ENV: "production", // vitest sets "test", which Next.js warns about and treats differently
    NEXT_TELEMETRY_DISABLED: "1",
    PATH: `${dirname(process.execPath)}:${process.env.PATH ?? ""}`,
    ...extra,
  };
}

export function checkPrerequisites(): void {
  if (!existsSync(nextBin)) {
    throw new Error(`${nextBin} is missing: install Next.js 16 with \`npm install --save-dev next@16 react react-dom\`.`);
  }
  if (!existsSync(resolve(root, "dist/esm/next.js"))) {
    throw new Error("dist/esm/next.js is missing: run `npm run build` first (npm test does).");
  }
}

function tail(text: string, n = 4000): string {
  return text.length > n ? `…${text.slice(-n)}` : text;
}

/** A clean `next build <app>`; rejects with the build's output when it fails. */
export function nextBuild(appDir: string): Promise<{ output: string; ms: number }> {
  rmSync(resolve(appDir, ".next"), { recursive: true, force: true }); // never test a stale build
  const started = Date.now();
  return new Promise((resolvePromise, reject) => {
    const child = spawn(nextBin, ["build", appDir], { cwd: root, env: nextEnv({}), stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (d) => (output += d));
    child.stderr.on("data", (d) => (output += d));
    child.on("error", reject);
    child.on("exit", (code) => {
      if (code === 0) resolvePromise({ output, ms: Date.now() - started });
      else reject(new Error(`next build exited with ${code}:\n${tail(output)}`));
    });
  });
}

export interface RunningNext {
  url: string;
  output(): string;
  /** SIGTERM to the process group (SIGKILL after 5 s); resolves with how `next start` ended. */
  stop(): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** The URL `next start` prints once it listens (`- Local:         http://127.0.0.1:PORT`). */
export const NEXT_LOCAL_URL = /- Local:\s+(http:\/\/127\.0\.0\.1:\d+)/;

/**
 * `next start -H 127.0.0.1 -p 0` in its own process group: Next binds a port the kernel
 * picks (no other socket can take it between choosing and binding) and prints it; resolves
 * once the server at that URL answers.
 */
export async function nextStart(appDir: string, env: Record<string, string>): Promise<RunningNext> {
  const child: ChildProcess = spawn(nextBin, ["start", appDir, "-H", "127.0.0.1", "-p", "0"], {
    cwd: root,
    env: nextEnv(env),
    stdio: ["ignore", "pipe", "pipe"],
    detached: true, // own process group: stop() ends next and every child it started
  });
  let output = "";
  child.stdout!.on("data", (d) => (output += d));
  child.stderr!.on("data", (d) => (output += d));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) =>
    child.once("exit", (code, signal) => r({ code, signal })),
  );
  let url = "";
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null && child.pid !== undefined) {
      try {
        process.kill(-child.pid, "SIGTERM");
      } catch {
        // already gone
      }
      const killed = await Promise.race([exited.then(() => true), new Promise((r) => setTimeout(() => r(false), 5_000))]);
      if (!killed) {
        try {
          process.kill(-child.pid, "SIGKILL");
        } catch {
          // already gone
        }
        await exited;
      }
    }
    return exited;
  };
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`next start exited with ${child.exitCode}:\n${tail(output)}`);
    url ||= NEXT_LOCAL_URL.exec(output)?.[1] ?? "";
    try {
      if (!url) throw new Error("no URL printed yet");
      // a path the middleware does not match, so readiness probes are not counted
      const res = await fetch(`${url}/favicon.ico`);
      await res.arrayBuffer();
      break;
    } catch {
      if (Date.now() > deadline) {
        await stop();
        throw new Error(`next start did not answer within 30 s:\n${tail(output)}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  return { url, output: () => output, stop };
}

/** The embedded backend's stored points, read back the way the tests assert on them. */
export function readBack(backend: Backend) {
  const points = (metric: string, tags: Record<string, string> = {}) =>
    backend.points().filter((p) => p.metric === metric && Object.entries(tags).every(([k, v]) => p.tags[k] === v));
  const sum = (metric: string, tags: Record<string, string> = {}) => points(metric, tags).reduce((t, p) => t + p.value, 0);
  return { points, sum };
}

/** Polls `check` until true; on timeout fails with the app's recent output. */
export async function until(what: string, check: () => boolean, app?: RunningNext, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}\n${app?.output().slice(-2000) ?? ""}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
