// An application Worker reporting through withApptuit to the ApptuitAggregator objects
// (test/workers/durable-isolates.test.ts runs several copies of it, one isolate each).
// Each request records its `v` query parameter in a timer, so the test knows every value.
import { MetricsRegistry, withApptuit } from "../../../dist/bundle/workers.js";

const registry = new MetricsRegistry();

export default withApptuit(
  {
    async fetch(request) {
      registry.timer("work.time").update(Number(new URL(request.url).searchParams.get("v")));
      return new Response("ok");
    },
  },
  (env) => ({
    registry,
    aggregator: "APPTUIT_AGGREGATOR",
    shards: 8,
    // The test sets a long interval: then only its cron ticks flush, at moments it picks.
    interval: Number(env.INTERVAL_MS ?? 1_000),
    requestMetrics: true,
    aggregate: { windowMs: Number(env.WINDOW_MS), graceMs: Number(env.GRACE_MS) },
    onError: null,
  }),
);
