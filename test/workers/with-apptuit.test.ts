// The Workers adapter's logic, driven in Node with a fake ExecutionContext and an injectable
// clock, against the embedded backend (no network): throttling, request metrics, errors,
// env handling and pass-through. workers.test.ts shows the same in the real workerd.
import { describe, expect, it, vi } from "vitest";
import { edgeHarness } from "../support/edge-harness";
import { ApptuitConfigError } from "../../src/core/index";
import { MetricsRegistry } from "../../src/registry/registry";
import { withApptuit, type WorkersOptions } from "../../src/platforms/workers/index";

const TOKEN = "unit-token";

function setup() {
  const { backend, puts, fetchFn, waitUntil, settle, sum } = edgeHarness(TOKEN);
  let now = 1_700_000_000_000;
  const clock = { now: () => now, advance: (ms: number) => void (now += ms) };
  const ctx = { waitUntil, passThroughOnException() {} };
  const options = (extra: WorkersOptions = {}): WorkersOptions => ({
    clientOptions: { fetch: fetchFn, retry: 0 },
    now: clock.now,
    onError: null,
    ...extra,
  });
  return { backend, puts, clock, ctx, settle, sum, options };
}

const env = { APPTUIT_API_TOKEN: TOKEN, APPTUIT_ENDPOINT: "http://backend.test", APPTUIT_TAGS: "region: eu", KV: { get() {} } };
const req = (path: string, method = "GET") => new Request(`http://worker.test${path}`, { method });

describe("withApptuit (workers) in Node", () => {
  it("does nothing at wrap time: no options call, no reporter, no request", () => {
    const t = setup();
    const options = vi.fn(() => t.options());
    const worker = withApptuit({ fetch: () => new Response("ok") }, options);
    expect(options).not.toHaveBeenCalled();
    expect(worker.reporter).toBeUndefined();
    expect(t.puts).toHaveLength(0);
  });

  it("flushes on the first request, then at most once per interval, with deltas that sum exactly", async () => {
    const t = setup();
    const registry = new MetricsRegistry();
    const hits = registry.counter("hits");
    const options = vi.fn(() => t.options({ registry, interval: 1_000 }));
    const worker = withApptuit(
      {
        fetch() {
          hits.inc();
          return new Response("ok");
        },
      },
      options,
    );
    const at = [0, 100, 500, 899, 900, 1_500, 1_899, 1_900, 1_901];
    let last = 0;
    for (const offset of at) {
      t.clock.advance(offset - last);
      last = offset;
      expect((await worker.fetch(req("/"), env, t.ctx)).status).toBe(200);
      await t.settle();
    }
    // Flushes at 0 (the first request) and 1500 (the first ≥ 1000 ms later); not at
    // 1899…1901 (< 1000 ms after 1500): those three wait for the next flush.
    expect(t.puts).toHaveLength(2);
    expect(
      t.backend
        .points()
        .filter((p) => p.metric === "hits_count")
        .map((p) => p.value),
    ).toEqual([1, 5]);
    expect(t.ctx.waitUntil).toHaveBeenCalledTimes(2);
    expect(options).toHaveBeenCalledTimes(1); // once per isolate
    await worker.scheduled({ scheduledTime: 0, cron: "* * * * *" }, env, t.ctx);
    await t.settle();
    expect(t.sum("hits_count")).toBe(at.length);
    expect(t.puts).toHaveLength(3);
    // Env: token (the backend requires it), endpoint and APPTUIT_TAGS; the KV binding is ignored.
    const point = t.backend.points().find((p) => p.metric === "hits_count")!;
    expect(point.tags).toEqual({ region: "eu" });
    expect(t.puts[0]!.url).toBe("http://backend.test/api/put?details");
    expect(worker.registry).toBe(registry);
    expect(worker.reporter?.temporality).toBe("delta");
  });

  it("counts and times requests by route, method and status class; a throw is 5xx and rethrown", async () => {
    const t = setup();
    const failure = new Error("handler failed");
    const worker = withApptuit(
      {
        fetch(request: Request) {
          const path = new URL(request.url).pathname;
          if (path === "/boom") throw failure;
          if (path === "/gone") return new Response(null, { status: 410 });
          return new Response("ok");
        },
      },
      t.options({ requestMetrics: true, interval: 60_000 }),
    );
    await worker.fetch(req("/users/42/orders/9f86d081884c7d65"), env, t.ctx);
    await worker.fetch(req("/users/7/orders/1234abcd5678ef90", "POST"), env, t.ctx);
    await worker.fetch(req("/gone", "BREW"), env, t.ctx);
    await expect(worker.fetch(req("/boom"), env, t.ctx)).rejects.toBe(failure);
    await worker.scheduled({ scheduledTime: 0, cron: "" }, env, t.ctx);
    await t.settle();
    expect(t.sum("http_server_requests_count", { route: "/users/:id/orders/:id", method: "GET", status: "2xx" })).toBe(1);
    expect(t.sum("http_server_requests_count", { route: "/users/:id/orders/:id", method: "POST", status: "2xx" })).toBe(1);
    expect(t.sum("http_server_requests_count", { route: "/gone", method: "OTHER", status: "4xx" })).toBe(1);
    expect(t.sum("http_server_requests_count", { route: "/boom", status: "5xx" })).toBe(1);
    expect(t.sum("http_server_latency_count")).toBe(4);
  });

  it("keeps route cardinality bounded with a custom route function and maxRoutes", async () => {
    const t = setup();
    const worker = withApptuit(
      { fetch: () => new Response("ok") },
      t.options({ requestMetrics: { name: "edge", route: (r) => new URL(r.url).pathname, maxRoutes: 2 }, interval: 60_000 }),
    );
    for (const path of ["/a", "/b", "/c", "/d", "/a"]) await worker.fetch(req(path), env, t.ctx);
    await worker.scheduled({ scheduledTime: 0, cron: "" }, env, t.ctx);
    await t.settle();
    expect(t.sum("edge_requests_count", { route: "/a" })).toBe(2);
    expect(t.sum("edge_requests_count", { route: "/b" })).toBe(1);
    expect(t.sum("edge_requests_count", { route: "other" })).toBe(2);
  });

  it("a failing flush never reaches the handler, and its delta is delivered by the next one", async () => {
    const t = setup();
    const registry = new MetricsRegistry();
    const errors: unknown[] = [];
    const worker = withApptuit(
      {
        fetch() {
          registry.counter("hits").inc();
          return new Response("ok");
        },
      },
      t.options({ registry, interval: 0, onError: (_s, _ok, _failed, e) => void errors.push(...e) }),
    );
    t.backend.failNext({ status: 503, path: "/api/put" });
    expect((await worker.fetch(req("/"), env, t.ctx)).status).toBe(200);
    await t.settle();
    expect(t.sum("hits_count")).toBe(0);
    expect(errors.length).toBeGreaterThan(0);
    t.clock.advance(1);
    expect((await worker.fetch(req("/"), env, t.ctx)).status).toBe(200);
    await t.settle();
    expect(t.sum("hits_count")).toBe(2); // retried delta + new delta, neither lost nor doubled
  });

  it("takes token, endpoint and globalTags from the options over env, and the client's own options under clientOptions", async () => {
    const t = setup();
    const registry = new MetricsRegistry();
    registry.counter("hits").inc();
    const worker = withApptuit(
      { fetch: () => new Response("ok") },
      t.options({
        registry,
        token: TOKEN,
        endpoint: "http://query.test",
        globalTags: { region: "us" },
        clientOptions: { fetch: t.options().clientOptions!.fetch!, retry: 0, writeEndpoint: "http://write.test" },
      }),
    );
    await worker.fetch(
      req("/"),
      { APPTUIT_API_TOKEN: "other-token", APPTUIT_ENDPOINT: "http://env.test", APPTUIT_TAGS: "region: eu" },
      t.ctx,
    );
    await t.settle();
    expect(t.puts.map((r) => new URL(r.url).origin)).toEqual(["http://write.test"]);
    expect(t.puts[0]!.headers.get("authorization")).toBe(`Bearer ${TOKEN}`);
    expect(t.sum("hits_count", { region: "us" })).toBe(1);
  });

  it("reports a client option given at the top level once, and keeps serving", async () => {
    const t = setup();
    const onError = vi.fn();
    const flat = { ...t.options(), onError, writeEndpoint: "http://write.test" } as WorkersOptions;
    const worker = withApptuit({ fetch: () => new Response("fine") }, flat);
    expect(await (await worker.fetch(req("/"), env, t.ctx)).text()).toBe("fine");
    await worker.fetch(req("/"), env, t.ctx);
    await t.settle();
    expect(onError).toHaveBeenCalledTimes(1);
    expect(String(onError.mock.calls[0]![3][0])).toMatch(/writeEndpoint: client options go under `clientOptions`/);
    expect(t.puts).toHaveLength(0);
  });

  it("without a token the Worker keeps serving; the config error is reported once and nothing is sent", async () => {
    const t = setup();
    const onError = vi.fn();
    const worker = withApptuit({ fetch: () => new Response("still fine") }, { ...t.options(), onError, requestMetrics: true });
    for (let i = 0; i < 3; i++) {
      const res = await worker.fetch(req("/"), { APPTUIT_ENDPOINT: "http://backend.test" }, t.ctx);
      expect(await res.text()).toBe("still fine");
    }
    await worker.scheduled({ scheduledTime: 0, cron: "" }, {}, t.ctx);
    expect(onError).toHaveBeenCalledTimes(1);
    expect(onError.mock.calls[0]![3][0]).toBeInstanceOf(ApptuitConfigError);
    expect(t.ctx.waitUntil).not.toHaveBeenCalled();
    expect(t.puts).toHaveLength(0);
  });

  it("passes other handlers through, runs the Worker's scheduled and always flushes on it", async () => {
    const t = setup();
    const registry = new MetricsRegistry();
    const queue = vi.fn();
    const scheduled = vi.fn(() => {
      registry.counter("cron").inc();
      throw new Error("cron failed");
    });
    const handler = { fetch: () => new Response("ok"), scheduled, queue, custom: 1 };
    const worker = withApptuit(handler, t.options({ registry, interval: 60_000 }));
    expect((worker as unknown as { queue: unknown }).queue).toBe(queue);
    expect((worker as unknown as { custom: number }).custom).toBe(1);
    await worker.fetch(req("/"), env, t.ctx); // first request flushes
    await expect(worker.scheduled({ scheduledTime: 0, cron: "*/5 * * * *" }, env, t.ctx)).rejects.toThrow("cron failed");
    await t.settle();
    expect(scheduled).toHaveBeenCalledWith({ scheduledTime: 0, cron: "*/5 * * * *" }, env, t.ctx);
    expect(t.sum("cron_count")).toBe(1); // flushed although the throttle would have refused
    expect(t.puts).toHaveLength(2);
    // A handler without scheduled gets one, so a cron trigger can drive flushes.
    expect(typeof withApptuit({ fetch: () => new Response() }, t.options()).scheduled).toBe("function");
  });
});
