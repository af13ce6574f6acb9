import type { EnvRead, ExitSignal, ServerRuntime } from "../server/runtime";
import { SIGNAL_EXIT_CODES } from "../server/runtime";

/** How to let the SDK read its variables, for error messages. */
const ENV_HINT =
  "run Deno with --allow-env=APPTUIT_API_TOKEN,APPTUIT_TAGS,APPTUIT_ENDPOINT,APPTUIT_DISABLE_HOST_TAG (or pass the options to init())";

/** Permission state without ever prompting: only "granted" counts. */
function granted(descriptor: Deno.PermissionDescriptor): boolean {
  try {
    return Deno.permissions.querySync(descriptor).state === "granted";
  } catch {
    return false;
  }
}

function readEnv(names: readonly string[]): EnvRead {
  const env: Record<string, string | undefined> = {};
  const denied: string[] = [];
  for (const name of names) {
    if (!granted({ name: "env", variable: name })) {
      denied.push(name);
      continue;
    }
    try {
      env[name] = Deno.env.get(name);
    } catch {
      denied.push(name);
    }
  }
  return { env, denied, hint: ENV_HINT };
}

function hostname(): string | undefined {
  if (!granted({ name: "sys", kind: "hostname" })) return undefined;
  try {
    return Deno.hostname();
  } catch {
    return undefined;
  }
}

/**
 * Deno dispatches `beforeunload` when the event loop is empty; cancelling it keeps the
 * program running, so the flush's fetch completes, and Deno dispatches it again afterwards
 * (`unload` cannot wait for anything, so it is no use for a network flush).
 */
function onIdle(handler: () => Promise<void> | undefined): () => void {
  const listener = (event: Event): void => {
    if (handler() !== undefined) event.preventDefault();
  };
  globalThis.addEventListener("beforeunload", listener);
  return () => globalThis.removeEventListener("beforeunload", listener);
}

/** Signals Deno cannot listen to on this OS (Windows: only SIGINT) are skipped, not fatal. */
function onSignal(signal: ExitSignal, handler: () => void): () => void {
  try {
    Deno.addSignalListener(signal, handler);
  } catch {
    return () => {};
  }
  return () => Deno.removeSignalListener(signal, handler);
}

/** The Deno runtime for `initServer`: read lazily, nothing happens at import time. */
export const denoRuntime: ServerRuntime = {
  readEnv,
  hostname,
  timers: {
    setInterval(fn, ms) {
      const id = setInterval(fn, ms);
      Deno.unrefTimer(id as unknown as number);
      return id;
    },
    clearInterval: (handle) => clearInterval(handle as ReturnType<typeof setInterval>),
  },
  onIdle,
  onSignal,
  exitForSignal: (signal) => Deno.exit(SIGNAL_EXIT_CODES[signal]),
};
