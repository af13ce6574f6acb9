import { consoleErrorHandler } from "../../reporter/error-handler";
import { MetricsRegistry } from "../../registry/registry";
import { ApptuitReporter } from "../../reporter/reporter";
import { edgeReporterOptions, stringEnv, type EdgeOptions } from "../shared/edge-options";
import { backgroundTimers, processEnv } from "./runtime";

// One registry and one reporter per server process, started from `instrumentation.ts`
// `register()`. Next.js bundles instrumentation, route handlers and server actions
// separately (and re-evaluates modules on reload in dev), so module scope is not shared:
// both live on globalThis under a registered symbol. See docs/nextjs.md.

/** Options of `startApptuit()`: those of `withApptuit`, minus what only a request wrapper has. */
export interface StartApptuitOptions extends Omit<EdgeOptions, "registry" | "requestMetrics"> {
  /** Where `APPTUIT_API_TOKEN`, `APPTUIT_TAGS` and `APPTUIT_ENDPOINT` are read; default `process.env`. */
  env?: Record<string, string | undefined>;
}

/** What `startApptuit()` returns; the same object for every call until `shutdown()`. */
export interface ApptuitProcess {
  /** The process-wide registry: `apptuitRegistry()`. */
  readonly registry: MetricsRegistry;
  /** The reporter; undefined when the setup failed (reported once through `onError`). */
  readonly reporter: ApptuitReporter | undefined;
  /** Stops the timer and flushes what is left; a later `startApptuit()` starts afresh. Idempotent. */
  shutdown(): Promise<void>;
}

interface ProcessState {
  registry?: MetricsRegistry;
  started?: ApptuitProcess;
}

const STATE = Symbol.for("apptuit.next.process");

function state(): ProcessState {
  const holder = globalThis as { [STATE]?: ProcessState };
  return (holder[STATE] ??= {});
}

/**
 * The registry of this server process, the same object from every bundle (route handlers,
 * server actions, `instrumentation.ts`): record through it anywhere on the server.
 */
export function apptuitRegistry(): MetricsRegistry {
  return (state().registry ??= new MetricsRegistry());
}

/**
 * Starts reporting `apptuitRegistry()` every `interval` ms (default 10,000) on an unref'd
 * timer: call it from `register()` in `instrumentation.ts` on the Node runtime. Later calls
 * (a second `register()`, a reload in dev) return the running one: one reporter per process.
 * Deltas by default: every instance of a deployment reports the same series.
 */
export function startApptuit(options: StartApptuitOptions = {}): ApptuitProcess {
  const current = state();
  if (current.started) return current.started;
  const registry = apptuitRegistry();
  let reporter: ApptuitReporter | undefined;
  try {
    reporter = new ApptuitReporter({
      ...edgeReporterOptions(options, registry, stringEnv(options.env ?? processEnv())),
      interval: options.interval ?? 10_000,
      platform: backgroundTimers,
    }).start();
  } catch (error) {
    // A missing token must not stop the server from starting: report once, record into nothing.
    const onError = options.onError === undefined ? consoleErrorHandler() : options.onError;
    try {
      onError?.(undefined, 0, 0, [error]);
    } catch {
      // the user's handler failing is not the server's problem
    }
  }
  let stopping: Promise<void> | undefined;
  const started: ApptuitProcess = {
    registry,
    reporter,
    shutdown: () =>
      (stopping ??= (async () => {
        if (current.started === started) current.started = undefined;
        await reporter?.stop();
      })()),
  };
  current.started = started;
  return started;
}
