import { describe, expect, it, vi } from "vitest";
import { ApptuitConfigError } from "../../../src/core/errors";
import { ApptuitReporter, type ReporterSender } from "../../../src/reporter";
import { accounted, FakeCounters, manualClock, testClient, useScriptedServer } from "./support";

const server = useScriptedServer();

describe("ApptuitReporter delivery", () => {
  it("prefixes names, stamps seconds, and merges tags: metric > reporter > global", async () => {
    const clock = manualClock(1_700_000_000_250);
    const registry = new FakeCounters();
    registry.extra = [{ metric: "queue.value", tags: { svc: "metric", q: "jobs" }, value: 3 }];
    const reporter = new ApptuitReporter({
      registry,
      client: testClient({ sanitize: "apptuit", globalTags: { host: "global", env: "global", region: "eu" } }),
      prefix: "shop.",
      tags: { env: "reporter", svc: "reporter" },
      now: clock.now,
      onError: null,
    });
    const result = await reporter.flush();
    expect(result.ok).toBe(true);
    const row = server.stored.find((r) => r.metric === "shop.queue.value");
    expect(row).toEqual({
      metric: "shop.queue.value",
      value: 3,
      timestamp: 1_700_000_000_250, // fractional seconds go out as milliseconds
      tags: { host: "global", env: "reporter", region: "eu", svc: "metric", q: "jobs" },
    });
  });

  it("sanitizes names with the client's default (prometheus) mode", async () => {
    const registry = new FakeCounters();
    registry.inc("orders.created");
    await new ApptuitReporter({ registry, client: testClient(), onError: null }).flush();
    expect(server.stored.map((r) => r.metric)).toContain("orders_created_count");
    expect(server.stored.map((r) => r.metric)).toContain("apptuit_reporter_send_total_count");
  });

  it("gives every flush a later timestamp, even when the clock has not moved", async () => {
    const clock = manualClock(1_700_000_000_000);
    const registry = new FakeCounters();
    registry.inc("x");
    const reporter = new ApptuitReporter({ registry, client: testClient({ sanitize: "apptuit" }), now: clock.now, onError: null });
    await reporter.flush();
    await reporter.flush();
    const stamps = server.stored.filter((r) => r.metric === "x.count").map((r) => r.timestamp);
    expect(stamps).toEqual([1_700_000_000, 1_700_000_000_001]);
  });

  it("sends at most the client's maxPointsPerRequest points per request, all of them, in order", async () => {
    const registry = new FakeCounters();
    registry.extra = Array.from({ length: 241 }, (_, i) => ({ metric: `m${i}.value`, tags: { i: String(i) }, value: i }));
    const client = testClient({ sanitize: "apptuit", maxPointsPerRequest: 100 });
    const reporter = new ApptuitReporter({ registry, client, onError: null });
    const result = await reporter.flush();
    expect(result.requests).toBe(3);
    expect(server.requests.map((r) => r.length)).toEqual([100, 100, 50]); // 241 + 9 meta points
    expect(server.stored.slice(0, 241).map((r) => r.value)).toEqual(registry.extra.map((p) => p.value));
  });

  it("hands a flush's whole queue to the sender in one delivery: the sender alone cuts requests", async () => {
    const registry = new FakeCounters();
    registry.extra = Array.from({ length: 120 }, (_, i) => ({ metric: `m${i}.value`, tags: { i: String(i) }, value: i }));
    const client = testClient({ sanitize: "apptuit", maxPointsPerRequest: 50 });
    const deliveries: number[] = [];
    const sender: ReporterSender = {
      prepare: (points, options) => client.prepare(points, options),
      sendPrepared: (points) => client.sendPrepared(points),
      deliver: (points) => {
        deliveries.push(points.length);
        return client.deliver(points);
      },
    };
    server.script = [{ kind: "ok" }, { kind: "status", status: 503 }];
    const result = await new ApptuitReporter({ registry, client: sender, onError: null }).flush();
    expect(deliveries).toEqual([result.recorded]); // 120 + 9 meta points, one call
    // The client cut them into 50 + 50 + 29; the second failed, so it and the third wait.
    expect(server.requests.map((r) => r.length)).toEqual([50, 50]);
    expect(result).toMatchObject({ delivered: 50, buffered: result.recorded - 50, requests: 2 });
  });

  it("batches 50,000 points per request by default", async () => {
    const registry = new FakeCounters();
    registry.extra = Array.from({ length: 50_001 }, (_, i) => ({ metric: "bulk.value", tags: { i: String(i) }, value: i }));
    const result = await new ApptuitReporter({ registry, client: testClient({ compress: false }), onError: null }).flush();
    expect(server.requests.map((r) => r.length)).toEqual([50_000, 10]);
    expect(result.delivered).toBe(50_010);
  });

  it("rejects only the invalid points a registry produced (NaN, Infinity) and sends the rest", async () => {
    const registry = new FakeCounters();
    registry.inc("good", 2);
    registry.extra = [
      { metric: "broken.value", tags: { g: "1" }, value: Number.NaN },
      { metric: "fine.value", tags: { g: "2" }, value: 5 },
      { metric: "huge.value", tags: { g: "3" }, value: Number.POSITIVE_INFINITY },
    ];
    const onError = vi.fn();
    const reporter = new ApptuitReporter({ registry, client: testClient({ sanitize: "apptuit" }), onError });
    const result = await reporter.flush();
    expect(result.rejected).toBe(2);
    expect(result.requests).toBe(1);
    expect(result.delivered).toBe(result.recorded - 2);
    expect(onError).toHaveBeenCalledTimes(1);
    const [status, ok, failed, errors] = onError.mock.calls[0]!;
    expect([status, ok, failed]).toEqual([undefined, 0, 2]);
    expect((errors as Error[]).map((e) => e.name)).toEqual(["ApptuitValidationError", "ApptuitValidationError"]);
    expect(server.stored.map((r) => r.metric)).toEqual(expect.arrayContaining(["good.count", "fine.value"]));
    expect(server.stored.map((r) => r.metric)).not.toContain("broken.value");
    expect(accounted(reporter.stats())).toBe(true);
  });

  it("keeps a batch for retry when a custom sender fails without saying what was undelivered", async () => {
    const client = testClient({ sanitize: "apptuit" });
    let fail = true;
    const sender: ReporterSender = {
      prepare: (points, options) => client.prepare(points, options),
      sendPrepared: async (points) => {
        if (fail) throw new TypeError("beacon refused");
        return client.sendPrepared(points);
      },
    };
    const registry = new FakeCounters();
    registry.inc("b", 3);
    const onError = vi.fn();
    const reporter = new ApptuitReporter({ registry, client: sender, temporality: "delta", onError });
    const first = await reporter.flush();
    expect(first).toMatchObject({ delivered: 0, buffered: first.recorded, ok: false });
    expect(onError).toHaveBeenCalledWith(undefined, 0, first.recorded, [expect.any(TypeError)]);
    fail = false;
    const second = await reporter.flush();
    expect(second.retried).toBe(first.recorded);
    expect(server.sum("b.count")).toBe(3);
    expect(accounted(reporter.stats())).toBe(true);
  });

  it("a throwing collect is reported; buffered and meta points still go out", async () => {
    const registry = new FakeCounters();
    registry.inc("n");
    const onError = vi.fn();
    const reporter = new ApptuitReporter({ registry, client: testClient({ sanitize: "apptuit" }), onError });
    server.script = [{ kind: "status", status: 503 }];
    await reporter.flush(); // fails: its points wait in the retry buffer
    onError.mockClear();
    const boom = new Error("callback gauge exploded");
    registry.throwOnce = boom;
    const result = await reporter.flush();
    expect(result.ok).toBe(false);
    expect(onError).toHaveBeenCalledWith(undefined, 0, 0, [boom]);
    expect(result.retried).toBeGreaterThan(0);
    expect(result.delivered).toBe(result.retried + result.recorded);
    expect(server.stored.map((r) => r.metric)).toContain("n.count");
    expect(server.stored.map((r) => r.metric)).toContain("apptuit.reporter.send.total.count");
  });

  it("a throwing error handler does not break the flush", async () => {
    const registry = new FakeCounters();
    registry.inc("n");
    server.fallback = { kind: "status", status: 503 };
    const reporter = new ApptuitReporter({
      registry,
      client: testClient(),
      onError: () => {
        throw new Error("handler bug");
      },
    });
    await expect(reporter.flush()).resolves.toMatchObject({ ok: false, delivered: 0 });
    expect(reporter.stats().buffered).toBeGreaterThan(0);
  });

  it("refuses bad options with a config error naming them", () => {
    const registry = new FakeCounters();
    expect(() => new ApptuitReporter({ registry, client: testClient(), interval: 0 })).toThrow(ApptuitConfigError);
    // The request size is the client's now (one batching step): the old option is named, not ignored.
    expect(() => new ApptuitReporter({ registry, client: testClient(), ...({ batchSize: 100 } as object) })).toThrow(/maxPointsPerRequest/);
    expect(() => testClient({ maxPointsPerRequest: 50_001 })).toThrow(/maxPointsPerRequest/);
    expect(() => testClient({ maxPointsPerRequest: 0 })).toThrow(/maxPointsPerRequest/);
    expect(() => new ApptuitReporter({ registry, client: testClient(), retryBuffer: { maxPoints: -1 } })).toThrow(/retryBuffer\.maxPoints/);
  });

  it("builds its own client from token, endpoint and env", async () => {
    const registry = new FakeCounters();
    registry.inc("built");
    const reporter = new ApptuitReporter({
      registry,
      env: { APPTUIT_API_TOKEN: "env-token", APPTUIT_TAGS: "host: e1" },
      endpoint: "http://reporter.test",
      retry: 0,
      onError: null,
    });
    const result = await reporter.flush();
    expect(result.ok).toBe(true);
    expect(server.stored.find((r) => r.metric === "built_count")?.tags).toEqual({ host: "e1", kind: "counter" });
    expect(() => new ApptuitReporter({ registry, env: {} })).toThrow(ApptuitConfigError);
  });
});
