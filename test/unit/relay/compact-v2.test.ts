// Compact format v2: kinds and deltas from the registry to the relay (docs/compact-format.md).
import { describe, expect, it } from "vitest";
import { MetricsRegistry } from "../../../src/registry";
import { decodeCompact } from "../../../src/relay/compact-format";
import { decodeCompactV2 } from "../../../src/relay/compact-v2";
import { CompactWriter } from "../../../src/relay/compact-writer";
import { CompactFormatError } from "../../../src/relay/errors/compact-format-error";

const T = 1_760_000_000;

function encode(registry: MetricsRegistry): string {
  const writer = new CompactWriter(0, 2);
  for (const p of registry.collect({ form: "deltas" })) writer.add({ ...p, timestamp: T });
  return writer.finish();
}

describe("compact format v2", () => {
  it("carries each series' kind and delta; distributions with exact moments and the sketch's buckets", () => {
    const registry = new MetricsRegistry();
    registry.counter("clicks").inc(3);
    registry.gauge("cart").set(7);
    registry.meter("views").mark(5);
    const timer = registry.timer("latency");
    for (const v of [0, 10, 20, -5]) timer.update(v);
    const text = encode(registry);
    const payload = JSON.parse(text);
    expect(payload.v).toBe(2);
    const rows = decodeCompact(text);
    const by = new Map(rows.map((r) => [r.metric, r]));
    expect(by.get("clicks.count")).toMatchObject({ value: 3, delta: { kind: "sum" } });
    expect(by.get("cart.value")).toMatchObject({ value: 7, delta: { kind: "mean" } });
    expect(by.get("views")).toMatchObject({ value: 5, delta: { kind: "meter" } });
    const latency = by.get("latency")!;
    expect(latency.value).toBe(4);
    expect(latency.delta).toMatchObject({ kind: "timer", sum: 25, sumsq: 525, min: -5, max: 20, zero: 1 });
    const d = latency.delta as { pos: number[]; neg: number[] };
    expect(d.pos.slice(1).reduce((a, b) => a + b, 0)).toBe(2);
    expect(d.neg.slice(1).reduce((a, b) => a + b, 0)).toBe(1);
  });

  it("a second delta collection carries only what happened since the first", () => {
    const registry = new MetricsRegistry();
    const c = registry.counter("clicks");
    c.inc(3);
    encode(registry);
    c.inc(2);
    expect(decodeCompact(encode(registry)).find((r) => r.metric === "clicks.count")?.value).toBe(2);
  });

  it.each([
    ["buckets not adding up to the count", [[0, 0, [3, 30, 300, 10, 10, 0, [100, 2], []]]], /add up/],
    ["a histogram given a number", [[0, 0, 5]], /distribution/],
    ["a negative bucket count", [[0, 0, [1, 10, 100, 10, 10, 0, [100, 2, -1], []]]], /≥ 0/],
    ["min above max", [[0, 0, [1, 10, 100, 20, 10, 0, [100, 1], []]]], /min ≤ max/],
  ])("refuses %s", (_name, p, error) => {
    const payload = { v: 2, t0: T, k: ["h", "a", "b"], s: [[3, 0, 1, 2]], p };
    expect(() => decodeCompactV2(payload, { maxPoints: 100, maxExpandedBytes: 1e6 })).toThrow(error);
  });

  it("refuses an unknown kind and counts values before validating them", () => {
    expect(() => decodeCompactV2({ v: 2, t0: T, k: ["h"], s: [[9, 0]], p: [] }, { maxPoints: 10, maxExpandedBytes: 1e6 })).toThrow(
      /unknown kind/,
    );
    const flood = { v: 2, t0: T, k: ["h"], s: [[0, 0]], p: [[0, 0, ...Array(11).fill("x")]] };
    expect(() => decodeCompactV2(flood, { maxPoints: 10, maxExpandedBytes: 1e6 })).toThrow(CompactFormatError);
    try {
      decodeCompactV2(flood, { maxPoints: 10, maxExpandedBytes: 1e6 });
    } catch (error) {
      expect((error as CompactFormatError).tooLarge).toBe(true);
    }
  });
});
