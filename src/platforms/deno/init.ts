import { initServer } from "../server/init";
import type { ServerHandle, ServerInitOptions } from "../server/options";
import { denoRuntime } from "./runtime";

/** Options of `init()` in `apptuit/deno`. */
export type DenoInitOptions = ServerInitOptions;
/** What `init()` in `apptuit/deno` returns. */
export type DenoHandle = ServerHandle;

/**
 * Starts reporting from a Deno program: token, endpoint and tags from the options, else
 * from `Deno.env` (`APPTUIT_API_TOKEN`, `APPTUIT_ENDPOINT`, `APPTUIT_TAGS`,
 * `APPTUIT_DISABLE_HOST_TAG`; needs `--allow-env` for them, never prompts). A `host` tag
 * comes from `Deno.hostname()` when `--allow-sys=hostname` is granted.
 *
 * The reporting timer is unref'd (`Deno.unrefTimer`), so it never keeps the program
 * alive, and the registry is flushed once more on `beforeunload`, when the program has
 * nothing left to do. `Deno.exit()` skips that: `await shutdown()` before calling it.
 * Temporality is cumulative by default (one long-lived process per series).
 */
export function init(options: DenoInitOptions = {}): DenoHandle {
  return initServer(options, denoRuntime);
}
