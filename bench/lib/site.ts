// One local site on 127.0.0.1 for the browser parts: the pages, our script-tag build, the
// OTel page bundle, a same-origin relay (createRelay) and the embedded backend behind it
// (also reachable directly at /api/put), and an OTLP/HTTP endpoint that counts data points.
import { readFileSync } from "node:fs";
import { createBackend } from "../../src/backend/index";
import { createRelay } from "../../src/relay/index";
import { serve, type Served } from "../../test/harness/serve";
import { SERIES_JS } from "./series";

export const TOKEN = "bench-token-0123456789";

export type Lib = "apptuit-relay" | "apptuit-direct" | "otel" | "otel-pagehide";

export interface Site extends Served {
  /** Distinct series of the bench's metrics stored by the backend (via relay or direct). */
  apptuitSeries(): { series: number; points: number };
  /** Distinct series received over OTLP (overflow series excluded), and data points. */
  otelSeries(): { series: number; points: number; overflow: number };
  /** Requests to the relay, the write API and OTLP since the last reset: what came, when, and the answer. */
  requests(): { path: string; status: number; bytes: number; keepalive: boolean; at: number }[];
  reset(): void;
  page(lib: Lib, n: number, extra?: Record<string, string>): string;
}

export interface SiteFiles {
  /** The relay-mode script tag (dist/apptuit.iife.js). */
  apptuitIife: string;
  /** The script tag with direct mode (dist/apptuit-direct.iife.js), for the `apptuit-direct` pages. */
  apptuitDirectIife: string;
  otelIife: string;
  /** Optional unminified build for profiling, served at /apptuit.dev.js. */
  apptuitDev?: string;
}

export async function startSite(files: SiteFiles): Promise<Site> {
  const backend = createBackend({ token: TOKEN });
  const relay = createRelay({
    token: TOKEN,
    endpoint: "http://backend.local",
    clientOptions: { fetch: (input, init) => backend.fetch(new Request(input as RequestInfo, init)) },
    rateLimit: false,
    // Each page's points go through to the backend as they arrive: what the parts measure is the page's delivery.
    aggregate: false,
    onError: null,
  });
  const otlp = new Map<string, number>();
  let otlpPoints = 0;
  let overflow = 0;
  const js = (path: string) => new Response(readFileSync(path), { headers: { "content-type": "text/javascript" } });

  const handler = async (request: Request): Promise<Response> => {
    const url = new URL(request.url);
    switch (url.pathname) {
      case "/page":
        return new Response(pageHtml(url.searchParams), { headers: { "content-type": "text/html" } });
      case "/blank":
        return new Response("<!doctype html><title>away</title>", { headers: { "content-type": "text/html" } });
      case "/apptuit.iife.js":
        return js(files.apptuitIife);
      case "/apptuit-direct.iife.js":
        return js(files.apptuitDirectIife);
      case "/apptuit.dev.js":
        return js(files.apptuitDev ?? files.apptuitIife);
      case "/otel.iife.js":
        return js(files.otelIife);
      case "/apptuit":
        return relay(request);
      case "/otlp/v1/metrics": {
        const body = JSON.parse(await request.text());
        for (const rm of body.resourceMetrics ?? [])
          for (const sm of rm.scopeMetrics ?? [])
            for (const m of sm.metrics ?? [])
              for (const dp of m.sum?.dataPoints ?? []) {
                otlpPoints++;
                const attrs = (dp.attributes ?? []) as { key: string; value: { stringValue?: string } }[];
                if (attrs.some((a) => a.key === "otel.metric.overflow")) {
                  overflow++;
                  continue;
                }
                const key = `${m.name}|${attrs
                  .map((a) => `${a.key}=${a.value.stringValue}`)
                  .sort()
                  .join(",")}`;
                otlp.set(key, (otlp.get(key) ?? 0) + 1);
              }
        return new Response("{}", { headers: { "content-type": "application/json" } });
      }
      default:
        if (url.pathname.startsWith("/api/")) return backend.fetch(request);
        return new Response("not found", { status: 404 });
    }
  };
  let log: { path: string; status: number; bytes: number; keepalive: boolean; at: number }[] = [];
  const logged = async (request: Request): Promise<Response> => {
    const path = new URL(request.url).pathname;
    if (request.method !== "POST") return handler(request);
    const bytes = Number(request.headers.get("content-length") ?? -1);
    const response = await handler(request);
    log.push({ path, status: response.status, bytes, keepalive: false, at: Date.now() });
    return response;
  };
  const served = await serve(logged);
  return {
    ...served,
    apptuitSeries() {
      const keys = new Set<string>();
      let points = 0;
      for (const p of backend.points()) {
        if (!p.metric.startsWith("app_requests_")) continue;
        points++;
        keys.add(`${p.metric}|${Object.entries(p.tags).sort().join(",")}`);
      }
      return { series: keys.size, points };
    },
    otelSeries: () => ({ series: otlp.size, points: otlpPoints, overflow }),
    requests: () => log,
    reset() {
      log = [];
      backend.reset();
      otlp.clear();
      otlpPoints = 0;
      overflow = 0;
    },
    page: (lib, n, extra = {}) => `${served.url}/page?${new URLSearchParams({ lib, n: String(n), ...extra })}`,
  };
}

/**
 * A page that loads one library, records n series (one counter increment each) and sets
 * `window.__ready`. `window.__flush()` runs a flush through the library's own path and
 * resolves when it has settled; `window.__record()` increments every series again.
 */
function pageHtml(q: URLSearchParams): string {
  const lib = q.get("lib") as Lib;
  const dev = q.get("dev") === "1";
  const cardinality = q.get("cardinality");
  const interval = Number(q.get("interval") ?? 600_000);
  const setup = lib.startsWith("apptuit")
    ? `
      const h = Apptuit.init(${lib === "apptuit-relay" ? `{ relayUrl: "/apptuit"` : `{ endpoint: location.origin, token: ${JSON.stringify(TOKEN)}`}, interval: ${interval}, onError: null });
      const handles = [];
      for (let i = 0; i < n; i++) handles.push(h.registry.counter(seriesName(i), seriesTags(i)));
      window.__record = () => { for (const c of handles) c.inc(); };
      window.__flush = () => h.flush();`
    : `
      const o = OTelBench.setup({ url: location.origin + "/otlp/v1/metrics", interval: ${interval}, pagehide: ${lib === "otel-pagehide"}${cardinality ? `, cardinality: ${Number(cardinality)}` : ""} });
      window.__record = () => { for (let i = 0; i < n; i++) o.counter(seriesName(i)).add(1, seriesTags(i)); };
      window.__flush = () => o.provider.forceFlush();`;
  const script =
    lib === "apptuit-direct"
      ? "/apptuit-direct.iife.js"
      : lib.startsWith("apptuit")
        ? dev
          ? "/apptuit.dev.js"
          : "/apptuit.iife.js"
        : "/otel.iife.js";
  return `<!doctype html><html><head><meta charset="utf-8"><title>bench</title>
<script src="${script}"></script></head><body>bench
<script>
${SERIES_JS}
const n = ${Number(q.get("n"))};
${setup}
window.__record();
window.__ready = true;
</script></body></html>`;
}
