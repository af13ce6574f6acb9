import { afterEach, describe, expect, it, vi } from "vitest";
import { MetricsRegistry } from "../../../src/registry";
import { ApptuitDroppedError, ApptuitReporter, type ReporterSender } from "../../../src/reporter";
import { accounted, FakeCounters, manualClock, TOKEN, testClient, useScriptedServer } from "./support";

const server = useScriptedServer();

afterEach(() => {
  vi.restoreAllMocks();
});

describe("ApptuitReporter failures", () => {
  it("a callback gauge that throws or returns NaN is reported by name; every other point is delivered", async () => {
    const registry = new MetricsRegistry();
    registry.counter("orders", { city: "NYC" }).inc(3);
    registry.gauge("queue.depth", { q: "a" }, () => {
      throw new Error("queue closed");
    });
    registry.gauge("pool.size", { p: "b" }, () => Number.NaN);
    const onError = vi.fn();
    const reporter = new ApptuitReporter({ registry, client: testClient({ sanitize: "apptuit" }), onError });
    const result = await reporter.flush();
    expect(onError).toHaveBeenCalledTimes(1);
    const errors = onError.mock.calls[0]![3] as Error[];
    expect(errors.map((e) => [e.name, e.message])).toEqual([
      ["GaugeCallbackError", 'callback gauge "queue.depth" threw; its value was left out of this collection'],
      ["GaugeCallbackError", 'callback gauge "pool.size" returned NaN; its value was left out of this collection'],
    ]);
    expect((errors[0] as Error & { cause?: Error }).cause?.message).toBe("queue closed");
    expect(result).toMatchObject({ rejected: 0, delivered: result.recorded });
    expect(server.stored.find((r) => r.metric === "orders.count")?.value).toBe(3);
  });

  it("400: reports (400, success, failed, rows), never retries the rejected points", async () => {
    const registry = new FakeCounters();
    registry.extra = [
      { metric: "ok.value", tags: { n: "1" }, value: 1 },
      { metric: "bad.value", tags: { n: "2" }, value: 2 },
    ];
    const onError = vi.fn();
    const reporter = new ApptuitReporter({ registry, client: testClient({ sanitize: "apptuit" }), onError });
    server.script = [{ kind: "partial", reject: (r) => r.metric === "bad.value" }];
    const result = await reporter.flush();
    expect(result).toMatchObject({ rejected: 1, delivered: result.recorded - 1, buffered: 0, ok: false });
    expect(onError).toHaveBeenCalledTimes(1);
    const [status, success, failed, errors] = onError.mock.calls[0]!;
    expect([status, success, failed]).toEqual([400, result.recorded - 1, 1]);
    expect(errors).toEqual([{ datapoint: expect.objectContaining({ metric: "bad.value" }), error: "rejected by test" }]);

    registry.extra = [];
    await reporter.flush();
    expect(server.requests[1]!.map((r) => r.metric)).not.toContain("bad.value");
    expect(accounted(reporter.stats())).toBe(true);
  });

  it("503: reports (503, 0, n, [error]), keeps the points and sends them next time, once", async () => {
    const registry = new FakeCounters();
    registry.inc("c", 5);
    const onError = vi.fn();
    const reporter = new ApptuitReporter({ registry, client: testClient({ sanitize: "apptuit" }), onError });
    server.script = [{ kind: "status", status: 503 }];
    const first = await reporter.flush();
    expect(first).toMatchObject({ delivered: 0, buffered: first.recorded, ok: false });
    expect(onError).toHaveBeenCalledWith(503, 0, first.recorded, [expect.objectContaining({ name: "ApptuitHttpError", statusCode: 503 })]);

    const second = await reporter.flush();
    expect(second).toMatchObject({ retried: first.recorded, delivered: first.recorded + second.recorded, buffered: 0, ok: true });
    // The retried rows kept their original timestamp: two distinct points, no duplicate.
    const rows = server.stored.filter((r) => r.metric === "c.count");
    expect(rows).toHaveLength(2);
    expect(new Set(rows.map((r) => r.timestamp)).size).toBe(2);
    expect(accounted(reporter.stats())).toBe(true);
  });

  it("network failure: the points wait in the retry buffer", async () => {
    const registry = new FakeCounters();
    registry.inc("c");
    const onError = vi.fn();
    const reporter = new ApptuitReporter({ registry, client: testClient(), onError });
    server.script = [{ kind: "network" }];
    const result = await reporter.flush();
    expect(result.buffered).toBe(result.recorded);
    expect(onError).toHaveBeenCalledWith(undefined, 0, result.recorded, [expect.objectContaining({ name: "ApptuitNetworkError" })]);
  });

  it("401: reported with the status and given up (a retry with the same token cannot succeed)", async () => {
    const registry = new FakeCounters();
    registry.inc("c");
    const onError = vi.fn();
    const reporter = new ApptuitReporter({ registry, client: testClient(), onError });
    server.script = [{ kind: "status", status: 401 }];
    const result = await reporter.flush();
    expect(result).toMatchObject({ rejected: result.recorded, buffered: 0, delivered: 0 });
    expect(onError).toHaveBeenCalledWith(401, 0, result.recorded, [expect.objectContaining({ name: "ApptuitAuthError" })]);
    expect(accounted(reporter.stats())).toBe(true);
  });

  it("a full retry buffer evicts the oldest points, counts them, and reports them as dropped", async () => {
    const clock = manualClock(1_700_000_000_000);
    const registry = new FakeCounters();
    const onError = vi.fn();
    // 2 counters + 9 meta points = 11 points per flush; room for 25.
    registry.inc("a");
    registry.inc("b");
    const reporter = new ApptuitReporter({
      registry,
      client: testClient({ sanitize: "apptuit" }),
      retryBuffer: { maxPoints: 25 },
      now: clock.now,
      onError,
    });
    server.fallback = { kind: "status", status: 503 };
    for (let i = 0; i < 4; i++) {
      clock.advance(10_000);
      await reporter.flush();
    }
    let stats = reporter.stats();
    expect(stats).toMatchObject({ recorded: 44, buffered: 25, dropped: 19, delivered: 0 });
    const dropReports = onError.mock.calls.filter((c) => (c[3] as unknown[])[0] instanceof ApptuitDroppedError);
    expect(dropReports.map((c) => c[2]).reduce((s, n) => s + n, 0)).toBe(19);

    server.fallback = { kind: "ok" };
    clock.advance(10_000);
    const back = await reporter.flush();
    expect(back.ok).toBe(true);
    stats = reporter.stats();
    expect(stats).toMatchObject({ recorded: 55, delivered: 36, dropped: 19, buffered: 0 });
    // The oldest flushes were dropped: the a.count rows that arrive are from the last flushes only.
    const stamps = server.stored.filter((r) => r.metric === "a.count").map((r) => r.timestamp);
    expect(stamps).toEqual([1_700_000_030, 1_700_000_040, 1_700_000_050]);
    // The flush after the outage says how many were dropped.
    expect(server.last("apptuit.reporter.send.dropped.count")).toBe(19);
    expect(accounted(stats)).toBe(true);
  });

  it("bounds the retry buffer by estimated bytes too", async () => {
    const registry = new FakeCounters();
    registry.extra = Array.from({ length: 40 }, (_, i) => ({
      metric: "big.value",
      tags: { pad: "x".repeat(200), i: String(i) },
      value: i,
    }));
    const reporter = new ApptuitReporter({ registry, client: testClient(), retryBuffer: { maxBytes: 4_000 }, onError: null });
    server.fallback = { kind: "status", status: 500 };
    const result = await reporter.flush();
    expect(result.dropped).toBeGreaterThan(0);
    expect(result.buffered).toBeLessThan(20); // 49 points of ≥ 260 bytes do not fit in 4,000
    expect(result.buffered + result.dropped).toBe(result.recorded);
  });

  it("onError: null silences failures", async () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    const error = vi.spyOn(console, "error").mockImplementation(() => {});
    const registry = new FakeCounters();
    registry.inc("c");
    server.fallback = { kind: "status", status: 503 };
    const result = await new ApptuitReporter({ registry, client: testClient(), onError: null, retryBuffer: { maxPoints: 1 } }).flush();
    expect(result.ok).toBe(false);
    expect(warn).not.toHaveBeenCalled();
    expect(error).not.toHaveBeenCalled();
  });

  it("the default handler writes one line per failure, never the token", async () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    const registry = new FakeCounters();
    registry.inc("c");
    server.script = [{ kind: "status", status: 401 }];
    await new ApptuitReporter({ registry, token: TOKEN, endpoint: "http://reporter.test", retry: 0, tags: { app: "t" } }).flush();
    expect(warn).toHaveBeenCalledTimes(1);
    const line = String(warn.mock.calls[0]![0]);
    expect(line).toMatch(/apptuit reporter: \d+ point\(s\) failed, 0 succeeded \(HTTP 401\): ApptuitAuthError/);
    expect(line).not.toContain(TOKEN);

    // A custom sender masks its own secret: the reporter is never handed it, and calls the
    // sender's `redact` on the line about to be logged.
    warn.mockClear();
    const client = testClient();
    const sender: ReporterSender = {
      prepare: (p, o) => client.prepare(p, o),
      sendPrepared: () => Promise.reject(new Error(`proxy said: bad header Bearer ${TOKEN}`)),
      redact: (text) => text.split(TOKEN).join("***"),
    };
    await new ApptuitReporter({ registry, client: sender }).flush();
    expect(warn).toHaveBeenCalledTimes(1);
    expect(String(warn.mock.calls[0]![0])).toContain("Bearer ***");
    expect(String(warn.mock.calls[0]![0])).not.toContain(TOKEN);

    // The Apptuit client masks its token the same way.
    warn.mockClear();
    const apptuit = testClient();
    await new ApptuitReporter({
      registry,
      client: { prepare: (p, o) => apptuit.prepare(p, o), sendPrepared: sender.sendPrepared, redact: (t) => apptuit.redact(t) },
    }).flush();
    expect(String(warn.mock.calls[0]![0])).toContain("Bearer [token]");
  });

  it("delta: a failed delta is neither lost nor counted twice (real registry)", async () => {
    const clock = manualClock(1_700_000_000_000);
    const registry = new MetricsRegistry({ now: clock.now });
    const hits = registry.counter("hits", { route: "/a" });
    const reporter = new ApptuitReporter({
      registry,
      client: testClient({ sanitize: "apptuit" }),
      temporality: "delta",
      now: clock.now,
      onError: null,
    });
    // ok, 503, network, 503, then ok for good.
    server.script = [{ kind: "ok" }, { kind: "status", status: 503 }, { kind: "network" }, { kind: "status", status: 503 }];
    let incs = 0;
    for (let round = 0; round < 7; round++) {
      const n = round + 3;
      for (let i = 0; i < n; i++) hits.inc();
      incs += n;
      clock.advance(5_000);
      await reporter.flush();
    }
    expect(reporter.stats().buffered).toBe(0);
    const rows = server.stored.filter((r) => r.metric === "hits.count");
    expect(rows.reduce((s, r) => s + r.value, 0)).toBe(incs);
    expect(new Set(rows.map((r) => r.timestamp)).size).toBe(rows.length); // no series/instant written twice
    // Meta metrics in delta too: the total successful points sum to what was delivered before the last flush.
    expect(accounted(reporter.stats())).toBe(true);
  });
});
