/**
 * What the reporter needs from the runtime it runs on. Platform adapters
 * (`apptuit/node`, `apptuit/deno`, `apptuit/browser`, …) supply their own, e.g. to
 * `unref()` the timer so that it never keeps a Node or Deno process alive.
 */
export interface ReporterPlatform {
  /** Call `fn` every `ms` milliseconds until cleared; returns a handle for `clearInterval`. */
  setInterval(fn: () => void, ms: number): unknown;
  clearInterval(handle: unknown): void;
}

/**
 * The default: the web-standard timers on `globalThis`, looked up at call time (so fake
 * timers installed after import are honoured and importing this file does nothing).
 */
export const globalTimerPlatform: ReporterPlatform = {
  setInterval: (fn, ms) => globalThis.setInterval(fn, ms),
  clearInterval: (handle) => globalThis.clearInterval(handle as ReturnType<typeof globalThis.setInterval>),
};
