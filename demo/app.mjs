// The demo's request router: static page + SDK + uPlot, the relay, the read-only query
// proxy, the Worker-style handler and (by default) the embedded backend, all on one origin.
import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";

const root = new URL("..", import.meta.url);
const file = (path) => fileURLToPath(new URL(path, root));

/** Path → file and content type. Only these are served: no directory traversal possible. */
const STATIC = {
  "/": ["demo/public/index.html", "text/html; charset=utf-8"],
  "/index.html": ["demo/public/index.html", "text/html; charset=utf-8"],
  "/demo.js": ["demo/public/demo.js", "text/javascript; charset=utf-8"],
  "/demo.css": ["demo/public/demo.css", "text/css; charset=utf-8"],
  "/apptuit.iife.js": ["dist/apptuit.iife.js", "text/javascript; charset=utf-8"],
  "/apptuit-direct.iife.js": ["dist/apptuit-direct.iife.js", "text/javascript; charset=utf-8"],
  "/apptuit-vitals.iife.js": ["dist/apptuit-vitals.iife.js", "text/javascript; charset=utf-8"],
  "/vendor/uPlot.iife.min.js": ["node_modules/uplot/dist/uPlot.iife.min.js", "text/javascript; charset=utf-8"],
  "/vendor/uPlot.min.css": ["node_modules/uplot/dist/uPlot.min.css", "text/css; charset=utf-8"],
};

/** Read-only API paths the query proxy forwards (suffixes after `/query`); nothing that writes. */
const READ_PATHS = ["/api/query", "/prometheus/api/v1/query_range", "/prometheus/api/v1/query"];

/**
 * @param {object} deps
 * @param {import("./target.mjs").Target} deps.target
 * @param {{ fetch(request: Request): Promise<Response> } | undefined} deps.backend  embedded backend, if any
 * @param {(request: Request, context?: object) => Promise<Response>} deps.relay
 * @param {{ fetch(request: Request, env: object, ctx: object): Promise<Response> }} deps.worker
 * @param {Record<string, string>} deps.workerEnv
 * @param {() => object} deps.executionContext  a fresh Workers-like `ctx` per request
 * @param {number} deps.interval   the page's flush interval, ms
 */
export function createDemoApp({ target, backend, relay, worker, workerEnv, executionContext, interval }) {
  return async function app(request, { clientId } = {}) {
    const url = new URL(request.url);
    const path = url.pathname;

    if (path === "/apptuit") return relay(request, { clientId });
    if (path === "/worker" || path.startsWith("/worker/")) return worker.fetch(request, workerEnv, executionContext());
    if (path.startsWith("/query/")) return queryProxy(request, path.slice("/query".length), url.search);
    if (path === "/demo-config.json") {
      return Response.json({ mode: target.kind, label: target.label, queryLanguage: target.queryLanguage, interval });
    }
    if (path === "/favicon.ico") return new Response(null, { status: 204 });
    if (Object.hasOwn(STATIC, path) && (request.method === "GET" || request.method === "HEAD")) return serveStatic(path);
    // The embedded backend answers the Apptuit API on this origin, token required.
    if (backend && (path.startsWith("/api/") || path.startsWith("/prometheus/api/"))) return backend.fetch(request);
    return new Response("not found\n", { status: 404, headers: { "content-type": "text/plain; charset=utf-8" } });
  };

  // Why a proxy: the charts query with `new Apptuit.Apptuit({ token: "read-only-demo",
  // endpoint: location.origin + "/query" })`. The real token stays on this server, which
  // swaps it in for GETs on the read paths only, so the page can read its own metrics but
  // holds nothing that can write (a backend with no token at all would also accept writes
  // from anyone, and real Apptuit has no token-less reads).
  async function queryProxy(request, rest, search) {
    if (request.method !== "GET")
      return new Response("the query proxy is read-only: use GET\n", { status: 405, headers: { allow: "GET" } });
    if (!READ_PATHS.includes(rest)) return new Response("not a query path\n", { status: 404 });
    // VictoriaMetrics serves the Prometheus API at its root and under /prometheus; Apptuit under /prometheus.
    const headers = { authorization: `Bearer ${target.token}`, accept: "application/json" };
    if (backend) return backend.fetch(new Request(`http://embedded${rest}${search}`, { headers, signal: request.signal }));
    const upstream = await fetch(`${target.queryEndpoint}${rest}${search}`, { headers, signal: request.signal });
    // fetch already decoded the body: drop the headers that described the encoded one.
    const out = new Headers(upstream.headers);
    for (const name of ["content-encoding", "content-length", "transfer-encoding", "connection", "set-cookie"]) out.delete(name);
    return new Response(upstream.body, { status: upstream.status, headers: out });
  }
}

async function serveStatic(path) {
  const [relative, type] = STATIC[path];
  try {
    const body = await readFile(file(relative));
    return new Response(body, { headers: { "content-type": type, "cache-control": "no-store" } });
  } catch (error) {
    if (error?.code !== "ENOENT") throw error;
    const hint = relative.startsWith("dist/") ? " (run `npm run build`)" : "";
    return new Response(`${relative} is missing${hint}\n`, { status: 500, headers: { "content-type": "text/plain; charset=utf-8" } });
  }
}
