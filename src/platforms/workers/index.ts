// apptuit/workers — Cloudflare Workers: `withApptuit(handler, options)` plus everything
// of the main entry (client, registry, reporter, errors), so one import suffices.
export * from "../../index";
export type { InitClientOptions, InitOptions } from "../shared/init-options";
export { withApptuit, type WorkersOptions, type WithApptuit } from "./with-apptuit";
export type { WorkersContext, WorkersHandler, WorkersScheduledController } from "./types";
export type { EdgeOptions } from "../shared/edge-options";
export type { RequestMetricsOptions } from "../shared/request-metrics";
export { defaultRoute } from "../shared/route";
export { createWorkersRelay, type WorkersRelayOptions } from "./relay";
export { ApptuitAggregator, type ApptuitAggregatorClass } from "./durable/export";
export { aggregatorStats } from "./durable/binding";
export type { ShardStats, AcceptAnswer, ShardConfig } from "./durable/protocol";
