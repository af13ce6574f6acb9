// The Next.js middleware adapter's logic in Node with a fake NextFetchEvent, against the
// embedded backend; next.test.ts shows it in a real `next build` + `next start` app.
import { afterEach, describe, expect, it, vi } from "vitest";
import { edgeHarness } from "../support/edge-harness";
import { MetricsRegistry } from "../../src/registry/registry";
import { withApptuit, type NextOptions } from "../../src/platforms/next/index";

const TOKEN = "next-unit-token";

function setup() {
  const { backend, puts, fetchFn, waitUntil, settle, sum } = edgeHarness(TOKEN);
  const event = { waitUntil };
  const options = (extra: NextOptions = {}): NextOptions => ({
    env: { APPTUIT_API_TOKEN: TOKEN, APPTUIT_ENDPOINT: "http://backend.test" },
    clientOptions: { fetch: fetchFn, retry: 0 },
    onError: null,
    interval: 0,
    ...extra,
  });
  return { backend, puts, event, settle, sum, options };
}

const req = (path: string) => new Request(`http://app.test${path}`);

afterEach(() => {
  vi.unstubAllEnvs();
});

describe("withApptuit (next) in Node", () => {
  it("records middleware outcomes: nothing/next() as 2xx, redirect as 3xx, a throw as 5xx (rethrown)", async () => {
    const t = setup();
    const failure = new Error("middleware failed");
    const middleware = withApptuit(
      (request: Request) => {
        const path = new URL(request.url).pathname;
        if (path === "/old") return Response.redirect("http://app.test/", 308);
        if (path === "/boom") throw failure;
        if (path === "/next") return new Response(null, { headers: { "x-middleware-next": "1" } });
        return undefined;
      },
      t.options({ requestMetrics: true, interval: 60_000 }),
    );
    expect(await middleware(req("/"), t.event)).toBeUndefined();
    expect((await middleware(req("/next"), t.event))?.status).toBe(200);
    expect((await middleware(req("/old"), t.event))?.status).toBe(308);
    await expect(middleware(req("/boom"), t.event)).rejects.toBe(failure);
    await t.settle();
    expect(t.event.waitUntil).toHaveBeenCalledTimes(1); // throttled: the first request only
    await middleware.reporter!.flush();
    expect(t.sum("http_server_requests_count", { route: "/", status: "2xx" })).toBe(1);
    expect(t.sum("http_server_requests_count", { route: "/next", status: "2xx" })).toBe(1);
    expect(t.sum("http_server_requests_count", { route: "/old", status: "3xx" })).toBe(1);
    expect(t.sum("http_server_requests_count", { route: "/boom", status: "5xx" })).toBe(1);
  });

  it("sends every delta once, gzipped where CompressionStream works and as plain JSON where it is a stub", async () => {
    const original = globalThis.CompressionStream;
    const stub = class {
      constructor() {
        throw new Error("CompressionStream is not supported in the Edge Runtime");
      }
    } as unknown as typeof CompressionStream;
    for (const sandboxed of [false, true]) {
      const t = setup();
      const registry = new MetricsRegistry();
      const middleware = withApptuit(() => {
        registry.counter("views", { page: "home" }).inc();
        return undefined;
      }, t.options({ registry }));
      if (sandboxed) globalThis.CompressionStream = stub;
      try {
        for (let i = 0; i < 3; i++) {
          await middleware(req("/"), t.event);
          await t.settle();
        }
      } finally {
        globalThis.CompressionStream = original;
      }
      expect(t.puts).toHaveLength(3);
      expect(t.puts.map((p) => p.headers.get("content-encoding"))).toEqual(Array(3).fill(sandboxed ? null : "gzip"));
      expect(
        t.backend
          .points()
          .filter((p) => p.metric === "views_count")
          .map((p) => p.value),
      ).toEqual([1, 1, 1]);
      expect(middleware.registry).toBe(registry);
    }
  });

  it("reads APPTUIT_* from process.env when no env is given, and works without an event", async () => {
    const t = setup();
    vi.stubEnv("APPTUIT_API_TOKEN", TOKEN);
    vi.stubEnv("APPTUIT_ENDPOINT", "http://from-process-env.test");
    vi.stubEnv("APPTUIT_TAGS", "deploy: canary");
    const { env: _env, ...rest } = t.options();
    const middleware = withApptuit(() => {
      middleware.registry.counter("views").inc();
      return undefined;
    }, rest);
    await middleware(req("/"), undefined);
    await middleware.reporter!.flush();
    expect(t.puts[0]!.url).toBe("http://from-process-env.test/api/put?details");
    expect(t.backend.points().find((p) => p.metric === "views_count")?.tags).toEqual({ deploy: "canary" });
    expect(t.sum("views_count")).toBe(1);
  });

  it("on Node (proxy.ts) or without waitUntil, a timer sends what the last requests recorded; on the edge it does not", async () => {
    const until = async (check: () => boolean) => {
      const deadline = Date.now() + 10_000;
      while (!check()) {
        if (Date.now() > deadline) throw new Error("timed out");
        await new Promise((r) => setTimeout(r, 10));
      }
    };
    const run = async (event: { waitUntil: (p: Promise<unknown>) => void } | undefined) => {
      const t = setup();
      const middleware = withApptuit(
        () => {
          middleware.registry.counter("views", { page: "home" }).inc();
          return undefined;
        },
        t.options({ interval: 100 }),
      );
      for (let i = 0; i < 5; i++) await middleware(req("/"), event ?? (undefined as never));
      await t.settle();
      return { t, middleware };
    };
    // Node runtime with event.waitUntil (what proxy.ts gets): the first request flushes, the timer the rest.
    const node = await run(setup().event);
    await until(() => node.t.sum("views_count") === 5);
    expect(
      node.t.backend
        .points()
        .filter((p) => p.metric === "views_count")
        .map((p) => p.value),
    ).toEqual([1, 4]);
    // No event at all: the same.
    const bare = await run(undefined);
    await until(() => bare.t.sum("views_count") === 5);

    // Edge runtime (the global EdgeRuntime is defined) with waitUntil: requests alone drive flushes.
    vi.stubGlobal("EdgeRuntime", "edge-runtime");
    try {
      const edge = await run(setup().event);
      await until(() => edge.t.sum("views_count") === 1);
      const puts = edge.t.puts.length;
      await new Promise((r) => setTimeout(r, 400)); // four intervals: a timer would have sent by now
      expect(edge.t.puts.length).toBe(puts);
      expect(edge.t.sum("views_count")).toBe(1);
    } finally {
      vi.unstubAllGlobals();
    }
  });
});
