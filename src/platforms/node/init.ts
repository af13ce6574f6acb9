import { initServer } from "../server/init";
import type { ServerHandle, ServerInitOptions } from "../server/options";
import { nodeRuntime } from "./runtime";

/** Options of `init()` in `apptuit/node`. */
export type NodeInitOptions = ServerInitOptions;
/** What `init()` in `apptuit/node` returns. */
export type NodeHandle = ServerHandle;

/**
 * Starts reporting from a Node (≥ 22) process: token, endpoint and tags from the options,
 * else from `process.env` (`APPTUIT_API_TOKEN`, `APPTUIT_ENDPOINT`, `APPTUIT_TAGS`,
 * `APPTUIT_DISABLE_HOST_TAG`). A `host` tag comes from `os.hostname()`.
 *
 * The reporting timer is `unref()`'d, so it never keeps the process alive, and the
 * registry is flushed once more on `beforeExit`, when the process has nothing left to do.
 * `process.exit()` skips that: `await shutdown()` before calling it. With
 * `signals: true` SIGINT/SIGTERM flush first, then end the process as the signal would.
 * Temporality is cumulative by default (one long-lived process per series).
 */
export function init(options: NodeInitOptions = {}): NodeHandle {
  return initServer(options, nodeRuntime);
}
