/**
 * `apptuit/backend`: a local in-memory Apptuit for your tests and demos.
 *
 * ```ts
 * const backend = createBackend({ token: "test" });
 * const response = await backend.fetch(new Request("http://local/api/put?details", { method: "POST", ... }));
 * ```
 */
export { createBackend } from "./backend";
export type { Backend, BackendOptions, BackendStats, InjectedFailure, StoredPoint } from "./types";
