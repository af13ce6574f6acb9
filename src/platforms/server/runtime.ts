import type { ReporterPlatform } from "../../reporter/platform";

/** Signals `init({ signals })` can flush on before the process ends. */
export type ExitSignal = "SIGINT" | "SIGTERM";

/** What the environment read yielded: the variables, and those the runtime would not let us read. */
export interface EnvRead {
  env: Record<string, string | undefined>;
  /** Names that exist in principle but could not be read (Deno without `--allow-env`). */
  denied: readonly string[];
  /** How to grant access, for error messages (e.g. the Deno flag). */
  hint?: string;
}

/**
 * What a long-lived process runtime (Deno, Node) supplies to the shared `initServer`.
 * Each adapter implements it over its own globals; nothing here touches a runtime global.
 */
export interface ServerRuntime {
  /** Reads the SDK's variables (`APPTUIT_*`); never throws for missing permission. */
  readEnv(names: readonly string[]): EnvRead;
  /** The machine's host name, or undefined when the runtime will not tell. */
  hostname(): string | undefined;
  /** Timers that never keep the process alive. */
  timers: ReporterPlatform;
  /**
   * Calls `onIdle` when the event loop has nothing left to do. `onIdle` returns a promise
   * when it started work (the runtime must then keep running until it settles) or
   * undefined when there is nothing to do (the process may exit). Returns a remover.
   */
  onIdle(onIdle: () => Promise<void> | undefined): () => void;
  /** Installs a signal handler; returns a remover. */
  onSignal(signal: ExitSignal, handler: () => void): () => void;
  /** Ends the process after our signal handler ran, as the signal would have. */
  exitForSignal(signal: ExitSignal): void;
}

/** Conventional exit status of a process ended by a signal: 128 + its number. */
export const SIGNAL_EXIT_CODES: Record<ExitSignal, number> = { SIGINT: 130, SIGTERM: 143 };
