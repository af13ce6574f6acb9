import type { Apptuit } from "../../core/client";
import type { MetricsRegistry } from "../../registry/registry";
import type { ApptuitReporter } from "../../reporter/reporter";
import type { InitOptions } from "../shared/init-options";
import type { ExitSignal } from "./runtime";

/**
 * Options of `init()` in `apptuit/deno` and `apptuit/node`: those of every runtime
 * (`InitOptions`) and a few about the process. Anything not given comes from the
 * environment (`APPTUIT_API_TOKEN`, `APPTUIT_TAGS`, `APPTUIT_ENDPOINT`,
 * `APPTUIT_DISABLE_HOST_TAG`). Defaults: `interval` 60,000 ms, `"cumulative"`.
 */
export interface ServerInitOptions extends InitOptions {
  /**
   * Send through this client; then `token`, `endpoint`, `globalTags`, `clientOptions` and
   * the environment's token/endpoint/tags are not used.
   */
  client?: Apptuit;
  /** Use these variables instead of the runtime's environment. */
  env?: Record<string, string | undefined>;
  /**
   * The `host` tag added to every reported point: `true` (default) uses the machine's host
   * name, a string sets it, `false` leaves it out. `APPTUIT_DISABLE_HOST_TAG=true` disables the
   * default. Not added when reporter tags or global tags already have a `host`.
   */
  hostTag?: boolean | string;
  /** Flush once more when the process has nothing left to do (default true). */
  flushOnExit?: boolean;
  /**
   * Flush and then exit on these signals. Default off: a handler changes how the process
   * reacts to the signal. `true` means `["SIGINT", "SIGTERM"]`.
   */
  signals?: boolean | readonly ExitSignal[];
  /** Longest wait for the final flush after a signal, in ms (default 5,000). */
  exitTimeout?: number;
}

/** What `init()` returns: record through `registry`; `shutdown()` stops the reporter after a last flush. */
export interface ServerHandle {
  registry: MetricsRegistry;
  reporter: ApptuitReporter;
  client: Apptuit;
  /** Removes the exit and signal hooks, stops the timer and flushes once more. Idempotent. */
  shutdown(): Promise<void>;
}
