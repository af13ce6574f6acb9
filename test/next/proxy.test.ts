// apptuit/next in a real Next.js 16 app written the Next 16 way: `proxy.ts` (Node.js
// runtime) wrapped with the same withApptuit as middleware.ts, and `instrumentation.ts`
// starting one reporter per server process for a route handler and a server action.
// `next build` + `next start` once; every test runs against that server and reads back
// from the embedded backend on 127.0.0.1.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createBackend } from "../../src/backend/index";
import { serve, type Served } from "../harness/serve";
import { appDir, checkPrerequisites, nextBuild, nextStart, readBack, until as untilApp, type RunningNext } from "./next-app";

const TOKEN = "next-proxy-token";
const backend = createBackend({ token: TOKEN });
const { points, sum } = readBack(backend);
const APP = { app: "next-proxy-test", service: "next-proxy-test" };
let server: Served | undefined;
let app: RunningNext | undefined;
let buildOutput = "";

const until = (what: string, check: () => boolean) => untilApp(what, check, app);

async function request(path: string, init: RequestInit = {}): Promise<Response> {
  const res = await fetch(`${app!.url}${path}`, { redirect: "manual", ...init });
  await res.clone().arrayBuffer();
  return res;
}

beforeAll(async () => {
  checkPrerequisites();
  const build = await nextBuild(appDir("proxy-app"));
  buildOutput = build.output;
  console.log(`next build (proxy-app): ${(build.ms / 1000).toFixed(1)} s`);
  server = await serve((req) => backend.fetch(req));
  app = await nextStart(appDir("proxy-app"), {
    APPTUIT_API_TOKEN: TOKEN,
    APPTUIT_ENDPOINT: server.url,
    APPTUIT_TAGS: "service: next-proxy-test",
    APP_REPORT_INTERVAL: "1500", // instrumentation.ts's reporter
    NEXT_MANUAL_SIG_HANDLE: "true", // SIGTERM is the app's: flush, then exit
  });
});

afterAll(async () => {
  await app?.stop();
  await server?.close();
});

describe("apptuit/next in a Next.js 16 app with proxy.ts and instrumentation.ts", () => {
  it("builds proxy.ts without Next's middleware deprecation warning", () => {
    expect(buildOutput).toMatch(/Proxy/);
    expect(buildOutput).not.toMatch(/deprecated/i);
    expect(buildOutput).not.toMatch(/middleware-to-proxy/);
  });

  it("proxy.ts runs on Node with event.waitUntil: the first request flushes through it, the timer sends the rest", async () => {
    const M = 12;
    expect((await request("/products/1")).status).toBe(200);
    await until("the first flush (event.waitUntil)", () => sum("next_proxy_views_count") === 1);
    for (let i = 2; i <= M; i++) expect((await request(`/products/${i * 7919}`)).status).toBe(200);
    for (let i = 0; i < 2; i++) expect((await request("/old")).status).toBe(307);
    // No further request: only the proxy's timer can send the other M - 1 (within the 4 s interval).
    await until("the timer's flush", () => sum("next_proxy_views_count") === M);
    expect(points("next_proxy_views_count").map((p) => p.value)).toEqual([1, M - 1]);
    expect(sum("next_proxy_views_count", APP)).toBe(M);

    const products = { route: "/products/:id", method: "GET", status: "2xx" };
    await until("request metrics", () => sum("http_server_requests_count", { route: "/old" }) === 2);
    expect(sum("http_server_requests_count", products)).toBe(M);
    expect(sum("http_server_latency_count", products)).toBe(M);
    expect(sum("http_server_requests_count", { route: "/old", status: "3xx" })).toBe(2);

    // What proxy.ts is given: the Node.js runtime, and a NextFetchEvent whose waitUntil works.
    const info = await request("/api/proxy-info");
    expect(await info.json()).toEqual({ runtime: "nodejs", waitUntil: "function" });
    // On Node the body is gzipped and nothing failed.
    expect(app!.output()).not.toContain("apptuit reporter");
  });

  it("a route handler records through apptuitRegistry(); instrumentation.ts's reporter sends it", async () => {
    for (const items of [2, 3, 4]) {
      const res = await request("/api/orders", { method: "POST", body: JSON.stringify({ items }) });
      expect(await res.json()).toEqual({ ok: true });
    }
    await until("the orders", () => sum("next_orders_placed_count", APP) === 3);
    await until("the histogram", () => sum("next_orders_items_count", APP) === 3);
    const max = points("next_orders_items_max", APP).map((p) => p.value);
    expect(Math.max(...max)).toBe(4);
  });

  it("a server action records through the same registry", async () => {
    const page = await request("/checkout");
    const html = await page.text();
    // The form works without JavaScript: it posts its action's id as a field.
    const field = /name="(\$ACTION_ID_[0-9a-f]+)"/.exec(html)?.[1];
    expect(field, html.slice(0, 2000)).toBeDefined();
    const form = new FormData();
    form.set(field!, "");
    form.set("plan", "pro");
    const res = await request("/checkout", { method: "POST", body: form });
    expect(res.status).toBeLessThan(400);
    await until("the server action's count", () => sum("next_checkout_submitted_count", { ...APP, plan: "pro" }) === 1);
  });

  it("stops cleanly: on SIGTERM the reporter flushes what is left, then the process exits", async () => {
    const before = sum("next_orders_placed_count", APP);
    expect((await request("/api/orders", { method: "POST", body: "{}" })).status).toBe(200);
    const ended = await app!.stop();
    expect(ended).toEqual({ code: 0, signal: null });
    expect(app!.output()).toContain("apptuit: stopped after a last flush");
    expect(sum("next_orders_placed_count", APP)).toBe(before + 1);
  });
});
