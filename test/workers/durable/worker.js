// The aggregating relay as a Worker (test/workers/durable.test.ts): pages' compact v2
// deltas go to the ApptuitAggregator Durable Objects bound as APPTUIT_AGGREGATOR. Window
// settings come from bindings so that each test picks its own; users write them inline.
import { ApptuitAggregator, aggregatorStats, createWorkersRelay } from "../../../dist/bundle/workers.js";

export { ApptuitAggregator };

let relay;

export default {
  async fetch(request, env, ctx) {
    const url = new URL(request.url);
    if (url.pathname === "/stats") {
      // Test only: every shard's stats, so the test waits on the objects' own state.
      const stats = await aggregatorStats(env, "APPTUIT_AGGREGATOR", Number(env.SHARDS));
      return Response.json(stats);
    }
    relay ??= createWorkersRelay({
      aggregator: "APPTUIT_AGGREGATOR",
      shards: Number(env.SHARDS),
      aggregate: { windowMs: Number(env.WINDOW_MS), graceMs: Number(env.GRACE_MS), maxBufferedPoints: Number(env.MAX_BUFFERED) },
      rateLimit: false,
      onError: null,
    });
    return relay(request, { env, waitUntil: (promise) => ctx.waitUntil(promise) });
  },
};
