// sliceSize + yield: a flush prepares its points a slice at a time and gives the thread
// back in between; a drain() meanwhile takes over what the flush has not sent yet.
import { describe, expect, it } from "vitest";
import type { DataPoint, Tags } from "../../../src/core/types";
import type { WirePoint } from "../../../src/core/wire";
import { ApptuitReporter, type Reporter, type ReporterSender } from "../../../src/reporter";
import { ReporterCore } from "../../../src/reporter/reporter-core";
import { accounted, FakeCounters, ManualPlatform, testClient } from "./support";

/** A sender that records what it is asked to prepare and send, storing everything. */
function recordingSender() {
  const client = testClient({ sanitize: "apptuit" });
  const prepared: number[] = [];
  const sent: WirePoint[] = [];
  const sender: ReporterSender = {
    prepare(points: readonly DataPoint[], options?: { tags?: Tags }) {
      prepared.push(points.length);
      return client.prepare(points, options);
    },
    async sendPrepared(points: WirePoint[]) {
      sent.push(...points);
      return { points: points.length, requests: 1 };
    },
  };
  return { sender, prepared, sent };
}

function counters(n: number) {
  const registry = new FakeCounters();
  for (let i = 0; i < n; i++) registry.inc(`c${i}`, i + 1);
  return registry;
}

describe("sliced flush", () => {
  it("prepares sliceSize points at a time, awaiting yield() between slices, and sends them all", async () => {
    const { sender, prepared, sent } = recordingSender();
    const events: string[] = [];
    const reporter = new ReporterCore({
      registry: counters(1_000),
      client: sender,
      temporality: "delta",
      platform: new ManualPlatform(),
      onError: null,
      sliceSize: 300,
      yield: () => {
        events.push(`yield after ${prepared.reduce((a, b) => a + b, 0)}`);
        return Promise.resolve();
      },
    });
    const result = await reporter.flush();
    // 1,000 + 9 meta points: 300, 300, 300, 109 — a yield before each slice.
    expect(prepared).toEqual([300, 300, 300, 109]);
    expect(events).toEqual(["yield after 0", "yield after 300", "yield after 600", "yield after 900"]);
    expect(result).toMatchObject({ recorded: 1_009, delivered: 1_009, ok: true });
    expect(new Set(sent.map((p) => p.metric)).size).toBe(1_009);
    expect(accounted(reporter.stats())).toBe(true);
  });

  it("a yield() returning nothing does not pause", async () => {
    const { sender, prepared } = recordingSender();
    const reporter = new ReporterCore({
      registry: counters(50),
      client: sender,
      platform: new ManualPlatform(),
      onError: null,
      sliceSize: 10,
      yield: () => undefined,
    });
    await reporter.flush();
    expect(prepared).toEqual([10, 10, 10, 10, 10, 9]); // 50 + 9 meta points
  });

  it("rejects invalid points of a slice and keeps the others", async () => {
    const { sender, sent } = recordingSender();
    const registry = counters(20);
    registry.extra = [{ metric: "bad", tags: {}, value: Number.NaN }];
    const errors: unknown[] = [];
    const reporter = new ReporterCore({
      registry,
      client: sender,
      platform: new ManualPlatform(),
      onError: (_s, _ok, _bad, e) => errors.push(...e),
      sliceSize: 4,
      yield: () => undefined,
    });
    const result = await reporter.flush();
    expect(result).toMatchObject({ recorded: 30, rejected: 1, delivered: 29 });
    expect(sent).toHaveLength(29);
    expect(errors).toHaveLength(1);
  });

  it("a drain() during the slices takes the flush's unsent points: each point sent once, books balanced", async () => {
    const { sender, sent } = recordingSender();
    const registry = counters(100);
    let release: () => void = () => {};
    let yields = 0;
    const reporter = new ReporterCore({
      registry,
      client: sender,
      temporality: "delta",
      platform: new ManualPlatform(),
      onError: null,
      sliceSize: 25,
      yield: () => (++yields === 3 ? new Promise<void>((r) => (release = r)) : undefined),
    });
    const flushing = reporter.flush();
    await new Promise((r) => setTimeout(r, 0)); // the flush is now waiting in its third yield
    expect(yields).toBe(3);
    registry.inc("late", 5);
    const drained = reporter.drain();
    // The flush's 109 points (50 prepared, 59 not yet) first, then the drain's own collection.
    const stamps = [...new Set(drained.points.map((p) => p.timestamp))];
    expect(stamps).toHaveLength(2);
    const flushPart = drained.points.filter((p) => p.timestamp === stamps[0]);
    expect(flushPart).toHaveLength(109);
    expect(drained.points.slice(0, 109)).toEqual(flushPart);
    expect(flushPart.filter((p) => p.metric.startsWith("c")).map((p) => p.value)).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
    expect(drained.points.find((p) => p.metric === "late.count")?.timestamp).toBe(stamps[1]);
    drained.delivered(drained.points.length);
    release();
    const result = await flushing;
    expect(sent).toEqual([]); // the flush had nothing left to send
    expect(result.delivered).toBe(0);
    expect(reporter.stats()).toMatchObject({ inFlight: 0, recorded: drained.points.length, delivered: drained.points.length });
    expect(accounted(reporter.stats())).toBe(true);
  });

  it("sliceSize is checked like the other settings", () => {
    expect(() => new ReporterCore({ registry: counters(1), client: recordingSender().sender, sliceSize: 0 })).toThrow(/sliceSize/);
  });
});

describe("ReporterCore and ApptuitReporter", () => {
  it("instanceof is plain class identity (no Symbol.hasInstance): both offer the Reporter interface", () => {
    const core = new ReporterCore({ registry: counters(1), client: recordingSender().sender });
    const reporter = new ApptuitReporter({ registry: counters(1), client: recordingSender().sender });
    expect(Object.hasOwn(ApptuitReporter, Symbol.hasInstance)).toBe(false);
    expect(core instanceof ApptuitReporter).toBe(false);
    expect(reporter instanceof ReporterCore).toBe(true);
    const asInterface: Reporter[] = [core, reporter];
    for (const r of asInterface)
      expect([typeof r.start, typeof r.stop, typeof r.flush, typeof r.stats]).toEqual(["function", "function", "function", "function"]);
  });

  it("ReporterCore needs a client (it cannot build one)", () => {
    // @ts-expect-error ReporterCore takes no credential (nothing to build a client from)
    expect(() => new ReporterCore({ registry: counters(1), token: "t" })).toThrow(/client is required/);
    expect(() => new ReporterCore({ registry: counters(1) })).toThrow(/client is required/);
  });
});
