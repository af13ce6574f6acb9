// apptuit/deno: everything of the main entry (Apptuit, MetricsRegistry, ApptuitReporter,
// errors, types) plus `init()` for Deno programs, so one import suffices.
export * from "../../index";
export type { InitClientOptions, InitOptions } from "../shared/init-options";
export { init } from "./init";
export type { DenoHandle, DenoInitOptions } from "./init";
export type { ExitSignal } from "../server/runtime";
