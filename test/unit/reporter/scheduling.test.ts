import { afterEach, describe, expect, it, vi } from "vitest";
import { ApptuitReporter } from "../../../src/reporter";
import { FakeCounters, ManualPlatform, manualClock, testClient, useScriptedServer } from "./support";

const server = useScriptedServer();

afterEach(() => {
  vi.useRealTimers();
});

/** Budget for a real flush (gzip, msw, decompression) to complete on a loaded machine. */
const WAIT = { timeout: 4_000 };

/**
 * Polls `check` on real time until it passes. Unlike `vi.waitFor`, it never moves the fake
 * clock (waitFor advances it 50 ms per try), so only the test decides when a tick is due.
 */
async function eventually(check: () => void, timeoutMs = WAIT.timeout): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    try {
      check();
      return;
    } catch (error) {
      if (performance.now() > deadline) throw error;
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe("ApptuitReporter scheduling", () => {
  it("flushes once per interval on the global timers by default", async () => {
    vi.useFakeTimers({ toFake: ["setInterval", "clearInterval"] });
    const registry = new FakeCounters();
    const reporter = new ApptuitReporter({ registry, client: testClient(), interval: 5_000, onError: null });
    registry.inc("hits");
    reporter.start();
    reporter.start(); // idempotent: still one timer
    expect(vi.getTimerCount()).toBe(1);

    await vi.advanceTimersByTimeAsync(4_999);
    expect(registry.collects).toBe(0); // no tick before the interval
    expect(server.requests).toHaveLength(0);
    for (let n = 1; n <= 3; n++) {
      await vi.advanceTimersByTimeAsync(n === 1 ? 1 : 5_000);
      await eventually(() => expect(reporter.stats().flushes).toBe(n));
    }
    expect(server.requests).toHaveLength(3);

    await reporter.stop();
    expect(vi.getTimerCount()).toBe(0);
    await vi.advanceTimersByTimeAsync(20_000);
    expect(reporter.stats().flushes).toBe(4); // the final flush of stop(), then nothing
  });

  it("uses the platform's timers with the interval given", async () => {
    const platform = new ManualPlatform();
    const reporter = new ApptuitReporter({ registry: new FakeCounters(), client: testClient(), interval: 1234, platform, onError: null });
    reporter.start();
    expect([...platform.timers.values()].map((t) => t.ms)).toEqual([1234]);
    platform.fire();
    await vi.waitFor(() => expect(reporter.stats().flushes).toBe(1), WAIT);
    platform.fire();
    await vi.waitFor(() => expect(reporter.stats().flushes).toBe(2), WAIT);
    await reporter.stop();
    expect(platform.timers.size).toBe(0);
  });

  it("stop() sends what was recorded since the last flush", async () => {
    const platform = new ManualPlatform();
    const registry = new FakeCounters();
    const reporter = new ApptuitReporter({ registry, client: testClient({ sanitize: "apptuit" }), platform, onError: null }).start();
    registry.inc("orders", 7);
    const result = await reporter.stop();
    expect(result.delivered).toBe(result.recorded);
    expect(server.last("orders.count")).toBe(7);
    expect(platform.timers.size).toBe(0);
  });

  it("never overlaps flushes: concurrent requests wait and are served by one more collect", async () => {
    const registry = new FakeCounters();
    const clock = manualClock();
    const reporter = new ApptuitReporter({
      registry,
      client: testClient({ sanitize: "apptuit" }),
      temporality: "delta",
      now: clock.now,
      onError: null,
    });
    let release: () => void = () => {};
    server.during = () => new Promise<void>((resolve) => (release = resolve));

    registry.inc("jobs");
    const first = reporter.flush();
    // The first flush is now inside its request, held by `during` (`requests` grows right
    // before `during` is called, so `release` is the real one from here on).
    await vi.waitFor(() => expect(server.requests).toHaveLength(1), WAIT);
    registry.inc("jobs");
    const second = reporter.flush();
    registry.inc("jobs");
    const third = reporter.flush();
    registry.inc("jobs");
    const fourth = reporter.flush();
    expect(third).toBe(second); // queued requests join the flush that has not started yet
    expect(fourth).toBe(second);
    // Give a flush that wrongly did not wait its turn a chance to start (it would collect
    // within microtasks); the queued one must still be waiting for the held request.
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(registry.collects).toBe(1);

    release();
    await vi.waitFor(() => expect(server.requests).toHaveLength(2), WAIT); // the second request is in, held
    release();
    const results = await Promise.all([first, second, third, fourth]);

    expect(server.maxActive).toBe(1);
    expect(server.requests).toHaveLength(2);
    expect(registry.collects).toBe(2);
    expect(results.every((r) => r.ok)).toBe(true);
    expect(server.sum("jobs.count")).toBe(4); // every inc delivered once
  });

  it("a timer tick during a slow flush is skipped, not piled up", async () => {
    const platform = new ManualPlatform();
    const registry = new FakeCounters();
    const reporter = new ApptuitReporter({ registry, client: testClient(), platform, onError: null }).start();
    let release: () => void = () => {};
    server.during = () => new Promise<void>((resolve) => (release = resolve));
    platform.fire();
    await vi.waitFor(() => expect(server.requests).toHaveLength(1), WAIT); // held in `during`: `release` is set
    platform.fire();
    platform.fire();
    release();
    await vi.waitFor(() => expect(reporter.stats().flushes).toBe(1), WAIT);
    server.during = undefined;
    await reporter.stop();
    expect(server.requests).toHaveLength(2); // the slow flush + stop's, none for the skipped ticks
    expect(server.maxActive).toBe(1);
  });
});
