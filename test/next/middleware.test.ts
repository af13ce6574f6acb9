// apptuit/next in a real Next.js 16 app: `next build` + `next start`, edge middleware.ts
// wrapped with withApptuit, reporting to the embedded backend on 127.0.0.1. The token
// and endpoint reach the middleware through the server's environment at `next start`.
// proxy.test.ts is the same for proxy.ts (Node runtime) plus instrumentation.ts.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createBackend } from "../../src/backend/index";
import { serve, type Served } from "../harness/serve";
import { appDir, checkPrerequisites, nextBuild, nextStart, readBack, until as untilApp, type RunningNext } from "./next-app";

const TOKEN = "next-test-token";
const backend = createBackend({ token: TOKEN });
const { points, sum } = readBack(backend);
let server: Served | undefined;
let app: RunningNext | undefined;
let buildOutput = "";

const until = (what: string, check: () => boolean) => untilApp(what, check, app);

async function get(path: string): Promise<Response> {
  const res = await fetch(`${app!.url}${path}`, { redirect: "manual" });
  await res.clone().arrayBuffer();
  return res;
}

beforeAll(async () => {
  checkPrerequisites();
  const build = await nextBuild(appDir("middleware-app"));
  buildOutput = build.output;
  console.log(`next build: ${(build.ms / 1000).toFixed(1)} s`);
  server = await serve((request) => backend.fetch(request));
  app = await nextStart(appDir("middleware-app"), {
    APPTUIT_API_TOKEN: TOKEN,
    APPTUIT_ENDPOINT: server.url,
    APPTUIT_TAGS: "service: next-test",
  });
});

afterAll(async () => {
  await app?.stop();
  await server?.close();
});

describe("apptuit/next in a Next.js 16 app (edge middleware)", () => {
  it("builds middleware.ts for the edge runtime, with Next 16's deprecation warning (proxy.ts has none)", () => {
    expect(buildOutput).toMatch(/"middleware" file convention is deprecated/);
  });

  it("middleware metrics arrive with exact counts; flushes are throttled to the first request", async () => {
    const M = 20;
    const first = await get("/products/1");
    expect(first.status).toBe(200);
    expect(await first.text()).toContain("product");
    // The first request of the instance flushes through event.waitUntil.
    await until("the first flush", () => sum("next_product_views_count") === 1);

    for (let i = 2; i <= M; i++) expect((await get(`/products/${i * 104729}`)).status).toBe(200);
    for (let i = 0; i < 2; i++) expect((await get("/old")).status).toBe(307);
    await new Promise((r) => setTimeout(r, 300));
    expect(backend.stats().puts).toBe(1); // 22 requests inside the 60 s interval: one put
    expect(sum("next_product_views_count")).toBe(1);

    // A forced flush (reporter.flush() from the middleware) brings the rest: deltas 1 + (M - 1).
    const flushed = await get("/api/flush");
    expect(await flushed.json()).toMatchObject({ runtime: "edge" });
    expect(points("next_product_views_count").map((p) => p.value)).toEqual([1, M - 1]);
    expect(sum("next_product_views_count", { app: "next-test", service: "next-test" })).toBe(M);

    const products = { route: "/products/:id", method: "GET", status: "2xx" };
    expect(sum("http_server_requests_count", products)).toBe(M);
    expect(sum("http_server_latency_count", products)).toBe(M);
    expect(sum("http_server_requests_count", { route: "/old", status: "3xx" })).toBe(2);
    const routes = new Set(points("http_server_requests_count").map((p) => p.tags.route));
    expect([...routes].sort()).toEqual(["/old", "/products/:id"]);
    // Bodies go uncompressed on Next.js' edge sandbox (its CompressionStream is a throwing stub).
    expect(app!.output()).not.toContain("apptuit reporter");
  });

  it("sends and queries with the client from the edge middleware", async () => {
    const run = `r${Date.now().toString(36)}`;
    const res = await get(`/api/client?run=${run}`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as {
      sent: { points: number; requests: number };
      series: { metric: string; tags: Record<string, string>; values: number[] }[];
    };
    expect(body.sent).toEqual({ points: 2, requests: 1 });
    expect(body.series).toHaveLength(1);
    expect(body.series[0]!.tags).toMatchObject({ run });
    expect(body.series[0]!.values).toEqual([7, 8]);
    expect(points("next_client_sent", { run }).map((p) => p.value)).toEqual([7, 8]);
  });
});
