// A Cloudflare-Worker-style module (`export default { fetch(request, env, ctx) }`) wrapped by
// `withApptuit`, exactly as it would be deployed; the demo server calls its `fetch` for
// /worker/* with a Workers-like `env` and a small `ctx.waitUntil` shim (see server.mjs).
//
// `requestMetrics: true` counts and times every request, tagged route / method / status
// class: `http.server.requests.count` and `http.server.latency.*` (milliseconds). The
// flush runs in `ctx.waitUntil`, at most once per `interval`, with delta values.
import { MetricsRegistry, withApptuit } from "../dist/esm/workers.js";

// Module scope is fine on Workers: handles live as long as the isolate.
const registry = new MetricsRegistry();
const quotes = registry.counter("demo.worker.quotes");

const SYMBOLS = ["ACME", "GLOBEX", "INITECH", "UMBRELLA"];

const handler = {
  async fetch(request, _env, _ctx) {
    const { pathname } = new URL(request.url);
    switch (pathname) {
      case "/worker/api/quote": {
        // Pretend to call an origin: 10–150 ms, and one call in ten fails upstream.
        await sleep(10 + Math.random() ** 2 * 140);
        if (Math.random() < 0.1) return json({ error: "upstream timeout" }, 503);
        const symbol = SYMBOLS[Math.floor(Math.random() * SYMBOLS.length)];
        quotes.inc();
        return json({ symbol, price: Math.round(50 + Math.random() * 5000) / 100, at: new Date().toISOString() });
      }
      case "/worker/api/health":
        await sleep(1 + Math.random() * 4);
        return json({ ok: true });
      default:
        return json({ error: "not found" }, 404);
    }
  },
};

// Options as a function of `env`, as on Workers where bindings exist only per request:
// APPTUIT_API_TOKEN and APPTUIT_ENDPOINT come from `env` (read by the adapter itself).
export default withApptuit(handler, (env) => ({
  registry,
  requestMetrics: true,
  interval: Number(env.DEMO_FLUSH_INTERVAL_MS ?? 2000),
  tags: { app: "demo", service: "demo-worker" },
}));

function json(body, status = 200) {
  return new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json; charset=utf-8" } });
}

function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
