// A module Worker run by miniflare (workerd) in test/workers/workers.test.ts. It imports the
// built self-contained bundle, as a Worker deployed from a CDN copy or a vendored file would.
import { Apptuit, MetricsRegistry, withApptuit } from "../../../dist/bundle/workers.js";

// Module scope, as users write it: creating a registry here must do no I/O, timers or
// random numbers (workerd forbids them outside a handler).
const registry = new MetricsRegistry();
const hits = registry.counter("worker.hits", { app: "test" });
const crons = registry.counter("worker.cron", { app: "test" });

async function clientRoundTrip(env, run) {
  // The plain client inside workerd: send, then read back through /api/query (names are
  // stored sanitized: prometheus mode turns dots into underscores).
  const client = new Apptuit({ env });
  const now = Math.floor(Date.now() / 1000);
  const sent = await client.send([
    { metric: "worker.client.sent", tags: { run }, timestamp: now - 1, value: 42 },
    { metric: "worker.client.sent", tags: { run }, timestamp: now, value: 43 },
  ]);
  const result = await client.query(`fetch('worker_client_sent', {run: '${run}'})`, { start: now - 60, end: now + 60 });
  const output = result.at(0);
  return { sent, series: output ? output.series : [], table: output ? output.toTable() : null };
}

async function sumOf(env, metric, tags) {
  // What the reporter delivered, read back from inside workerd.
  const client = new Apptuit({ env });
  const now = Math.floor(Date.now() / 1000);
  const filter = Object.entries(tags)
    .map(([k, v]) => `${k}: '${v}'`)
    .join(", ");
  const result = await client.query(`fetch('${metric}', {${filter}})`, { start: now - 3600, end: now + 60 });
  let sum = 0;
  for (const output of result) for (const series of output.series) for (const value of series.values) sum += value;
  return sum;
}

export default withApptuit(
  {
    async fetch(request, env) {
      const url = new URL(request.url);
      if (url.pathname.startsWith("/items/")) {
        hits.inc();
        return new Response("ok");
      }
      if (url.pathname === "/missing") return new Response("nope", { status: 404 });
      if (url.pathname === "/boom") throw new Error("handler failed");
      if (url.pathname === "/client") return Response.json(await clientRoundTrip(env, url.searchParams.get("run")));
      if (url.pathname === "/sum") {
        const tags = Object.fromEntries([...url.searchParams].filter(([k]) => k !== "metric"));
        return Response.json({ sum: await sumOf(env, url.searchParams.get("metric"), tags) });
      }
      return new Response("not found", { status: 404 });
    },
    async scheduled() {
      crons.inc();
    },
  },
  (env) => ({
    registry,
    requestMetrics: true,
    interval: Number(env.FLUSH_INTERVAL_MS),
    // A test that holds a put for a while raises the per-attempt timeout (edge default 5 s).
    ...(env.CLIENT_TIMEOUT_MS ? { clientOptions: { timeout: Number(env.CLIENT_TIMEOUT_MS) } } : {}),
  }),
);
