// apptuit/next — Next.js `middleware.ts` on the edge runtime: `withApptuit(middleware,
// options)` plus everything of the main entry (client, registry, reporter, errors).
export * from "../../index";
export { withApptuit, type NextOptions, type WithApptuitMiddleware } from "./with-apptuit";
export type { Middleware, MiddlewareEvent, MiddlewareResult } from "./types";
export type { EdgeOptions } from "../shared/edge-options";
export type { RequestMetricsOptions } from "../shared/request-metrics";
export { defaultRoute } from "../shared/route";
