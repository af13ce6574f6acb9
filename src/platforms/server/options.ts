import type { Apptuit } from "../../core/client";
import type { ApptuitOptions } from "../../core/options";
import type { MetricsRegistry } from "../../registry/registry";
import type { ApptuitReporterOptions } from "../../reporter/options";
import type { ApptuitReporter } from "../../reporter/reporter";
import type { ExitSignal } from "./runtime";

/** Client options `init()` passes on to `new Apptuit()` when it creates the client. */
export const CLIENT_OPTION_KEYS = [
  "token",
  "endpoint",
  "writeEndpoint",
  "queryEndpoint",
  "promEndpoint",
  "globalTags",
  "sanitize",
  "timeout",
  "retry",
  "fetch",
  "compress",
] as const satisfies readonly (keyof ApptuitOptions)[];

type ClientOptionKey = (typeof CLIENT_OPTION_KEYS)[number];

/**
 * Options of `init()` in `apptuit/deno` and `apptuit/node`: the client's options, the
 * reporter's options, and a few about the process. Anything not given comes from the
 * environment (`APPTUIT_API_TOKEN`, `APPTUIT_TAGS`, `APPTUIT_ENDPOINT`,
 * `APPTUIT_DISABLE_HOST_TAG`).
 */
export interface ServerInitOptions
  extends Pick<ApptuitOptions, ClientOptionKey>,
    Omit<
      ApptuitReporterOptions,
      "registry" | "client" | "clientOptions" | "token" | "endpoint" | "env" | "platform" | ClientOptionKey
    > {
  /** Record into this registry (e.g. one created at module scope); default a new one. */
  registry?: MetricsRegistry;
  /** Send through this client; then the client options here and the environment's token/endpoint/tags are not used. */
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
