// The aggregating relay as a Worker (test/workers/durable.test.ts): pages' compact v2
// deltas go to the ApptuitAggregator Durable Objects bound as APPTUIT_AGGREGATOR. Window
// settings come from bindings so that each test picks its own; users write them inline.
import { ApptuitAggregator, createWorkersRelay } from "../../../dist/bundle/workers.js";

export { ApptuitAggregator };

let relay;

export default {
  async fetch(request, env, ctx) {
    const url = new URL(request.url);
    if (url.pathname === "/stats") {
      // Test only: every shard's stats, so the test waits on the objects' own state.
      const ns = env.APPTUIT_AGGREGATOR;
      const stats = await Promise.all(
        Array.from({ length: Number(env.SHARDS) }, (_, i) =>
          ns
            .get(ns.idFromName(`apptuit-aggregator-${i}`))
            .fetch("https://apptuit-aggregator/stats")
            .then((r) => r.json()),
        ),
      );
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
