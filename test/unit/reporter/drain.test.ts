// reporter.drain(): the urgent, synchronous take-over used on page hide.
import { describe, expect, it, vi } from "vitest";
import { ApptuitReporter } from "../../../src/reporter";
import { accounted, FakeCounters, ManualPlatform, testClient, useScriptedServer } from "./support";

const server = useScriptedServer();

function setup() {
  const registry = new FakeCounters();
  const reporter = new ApptuitReporter({
    registry,
    client: testClient({ sanitize: "apptuit" }),
    temporality: "delta",
    platform: new ManualPlatform(),
    onError: null,
  });
  return { registry, reporter };
}

const value = (points: { metric: string; value: number }[], metric: string) =>
  points.filter((p) => p.metric === metric).map((p) => p.value);

describe("ApptuitReporter.drain", () => {
  it("collects synchronously and keeps the points in flight until settled", () => {
    const { registry, reporter } = setup();
    registry.inc("hits", 4);
    const drained = reporter.drain();
    expect(value(drained.points, "hits.count")).toEqual([4]);
    expect(drained.points).toHaveLength(1 + 9); // + meta points
    expect(reporter.stats()).toMatchObject({ recorded: 10, inFlight: 10, delivered: 0 });
    drained.delivered(6);
    drained.retry(drained.points.slice(6, 9));
    drained.rejected(1, new Error("refused"));
    expect(reporter.stats()).toMatchObject({ recorded: 10, delivered: 6, buffered: 3, rejected: 1, inFlight: 0 });
    expect(accounted(reporter.stats())).toBe(true);
  });

  it("hands back the retry buffer first, and a retried point goes out with the next flush", async () => {
    const { registry, reporter } = setup();
    registry.inc("a", 1);
    const first = reporter.drain();
    first.retry(first.points); // e.g. sendBeacon refused
    registry.inc("a", 2);
    const second = reporter.drain();
    expect(value(second.points, "a.count")).toEqual([1, 2]); // oldest first
    second.delivered(1 + 9); // the beacon took the old ones only
    second.retry(second.points.slice(10));
    const result = await reporter.flush();
    expect(result.retried).toBe(10);
    // The point the beacon took is not sent again; the one put back is, once.
    expect(server.stored.filter((p) => p.metric === "a.count").map((p) => p.value)).toEqual([2, 0]);
    expect(accounted(reporter.stats())).toBe(true);
  });

  it("does not wait for a running flush, and takes none of its points (delta: nothing lost or doubled)", async () => {
    const { registry, reporter } = setup();
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    server.during = () => gate;
    registry.inc("orders", 5);
    const running = reporter.flush();
    // The flush has collected and its request is held at the server (gzip and msw take a
    // variable number of loop turns, so wait for the request rather than a fixed time).
    await vi.waitFor(() => expect(server.requests).toHaveLength(1), { timeout: 4_000 });
    registry.inc("orders", 3);
    const drained = reporter.drain(); // synchronous: would deadlock if it waited for the flush
    expect(value(drained.points, "orders.count")).toEqual([3]);
    drained.delivered(drained.points.length);
    release();
    await running;
    expect(server.sum("orders.count")).toBe(5);
    expect(reporter.stats()).toMatchObject({ inFlight: 0, rejected: 0, dropped: 0 });
    expect(accounted(reporter.stats())).toBe(true);
    // Stamps keep increasing: the drain's points are later than the flush's.
    expect(drained.points[0]!.timestamp).toBeGreaterThan(server.stored[0]!.timestamp);
  });

  it("counts points evicted from a full retry buffer as dropped, in stats and the meta metric", async () => {
    const registry = new FakeCounters();
    const reporter = new ApptuitReporter({
      registry,
      client: testClient(),
      temporality: "delta",
      retryBuffer: { maxPoints: 4 },
      platform: new ManualPlatform(),
      onError: null,
    });
    registry.inc("x");
    const drained = reporter.drain();
    drained.retry(drained.points); // 10 points into a buffer of 4
    expect(reporter.stats()).toMatchObject({ dropped: 6, buffered: 4 });
    await reporter.flush();
    expect(server.stored.find((p) => p.metric === "apptuit_reporter_send_dropped_count")?.value).toBe(6);
    expect(accounted(reporter.stats())).toBe(true);
  });

  it("counts drained deliveries in the meta metrics of the next flush", async () => {
    const { registry, reporter } = setup();
    registry.inc("y");
    const drained = reporter.drain();
    drained.delivered(drained.points.length);
    await reporter.flush();
    expect(server.stored.find((p) => p.metric === "apptuit.reporter.send.successful.count")?.value).toBe(10);
  });

  it("prepares with the preparer given (e.g. a token-free one) and applies reporter tags", () => {
    const registry = new FakeCounters();
    const reporter = new ApptuitReporter({
      registry,
      client: testClient(),
      tags: { app: "shop" },
      platform: new ManualPlatform(),
      onError: null,
    });
    registry.inc("z");
    const calls: unknown[] = [];
    const drained = reporter.drain({
      prepare: (points, options) => {
        calls.push(options);
        return points.map((p) => ({ metric: `p.${p.metric}`, timestamp: 1, value: p.value, tags: { ...p.tags, ...options?.tags } }));
      },
    });
    expect(calls).toEqual([{ tags: { app: "shop" } }]);
    expect(drained.points[0]).toMatchObject({ metric: "p.z.count", tags: { kind: "counter", app: "shop" } });
  });
});
