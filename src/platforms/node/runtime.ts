/// <reference types="node" />
import { hostname } from "node:os";
import type { EnvRead, ExitSignal, ServerRuntime } from "../server/runtime";

function readEnv(names: readonly string[]): EnvRead {
  const env: Record<string, string | undefined> = {};
  for (const name of names) env[name] = process.env[name];
  return { env, denied: [] };
}

function safeHostname(): string | undefined {
  try {
    return hostname() || undefined;
  } catch {
    return undefined;
  }
}

/**
 * Node emits `beforeExit` when the loop is empty; work started in a listener keeps the
 * process going and `beforeExit` comes again once it is done (the shared guard then
 * declines, and the process exits). `process.exit()` and fatal errors skip it.
 */
function onIdle(handler: () => Promise<void> | undefined): () => void {
  const listener = (): void => {
    void handler();
  };
  process.on("beforeExit", listener);
  return () => process.off("beforeExit", listener);
}

function onSignal(signal: ExitSignal, handler: () => void): () => void {
  process.on(signal, handler);
  return () => process.off(signal, handler);
}

/**
 * After our handler ran (and removed itself): if the application has its own listener it
 * decides what happens; otherwise re-raise the signal so the process ends as it would have
 * without us (killed by the signal, as its parent expects).
 */
function exitForSignal(signal: ExitSignal): void {
  if (process.listenerCount(signal) > 0) return;
  process.kill(process.pid, signal);
}

/** The Node runtime for `initServer`: read lazily, nothing happens at import time. */
export const nodeRuntime: ServerRuntime = {
  readEnv,
  hostname: safeHostname,
  timers: {
    setInterval(fn, ms) {
      return setInterval(fn, ms).unref();
    },
    clearInterval: (handle) => clearInterval(handle as NodeJS.Timeout),
  },
  onIdle,
  onSignal,
  exitForSignal,
};
