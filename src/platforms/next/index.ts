// apptuit/next — Next.js: `withApptuit(fn, options)` for `proxy.ts` (Node) and
// `middleware.ts` (edge), `startApptuit()` and `apptuitRegistry()` for `instrumentation.ts`,
// route handlers and server actions, plus everything of the main entry.
export * from "../../index";
export type { InitClientOptions, InitOptions } from "../shared/init-options";
export { withApptuit, type NextOptions, type WithApptuitMiddleware } from "./with-apptuit";
export { apptuitRegistry, startApptuit, type ApptuitProcess, type StartApptuitOptions } from "./instrumentation";
export type { Middleware, MiddlewareEvent, MiddlewareResult } from "./types";
export type { EdgeOptions } from "../shared/edge-options";
export type { RequestMetricsOptions } from "../shared/request-metrics";
export { defaultRoute } from "../shared/route";
