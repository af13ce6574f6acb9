import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { WirePoint } from "../../../src/core/wire";
import { estimateBytes, RetryBuffer } from "../../../src/reporter";

const row = (i: number, tags: Record<string, string> = { host: "a" }): WirePoint => ({
  metric: `m.${i}`,
  timestamp: 1_700_000_000 + i,
  value: i,
  tags,
});

describe("RetryBuffer", () => {
  it("is FIFO and evicts the oldest past maxPoints, returning how many", () => {
    const buffer = new RetryBuffer({ maxPoints: 3 });
    expect(buffer.push([row(1), row(2)])).toBe(0);
    expect(buffer.push([row(3), row(4), row(5)])).toBe(2);
    expect(buffer.size).toBe(3);
    expect(buffer.takeAll().map((p) => p.value)).toEqual([3, 4, 5]);
    expect(buffer.size).toBe(0);
    expect(buffer.byteSize).toBe(0);
  });

  it("evicts the oldest past maxBytes", () => {
    const one = estimateBytes(row(1));
    const buffer = new RetryBuffer({ maxBytes: one * 2 + 1 });
    expect(buffer.push([row(1), row(2), row(3)])).toBe(1);
    expect(buffer.takeAll().map((p) => p.value)).toEqual([2, 3]);
  });

  it("keeps nothing with maxPoints 0, and stays correct across many evictions", () => {
    expect(new RetryBuffer({ maxPoints: 0 }).push([row(1)])).toBe(1);
    const buffer = new RetryBuffer({ maxPoints: 10 });
    let evicted = 0;
    for (let i = 0; i < 5000; i++) evicted += buffer.push([row(i)]);
    expect(evicted).toBe(4990);
    expect(buffer.takeAll().map((p) => p.value)).toEqual(Array.from({ length: 10 }, (_, i) => 4990 + i));
  });

  it("estimates a point's JSON size closely without serialising it", () => {
    fc.assert(
      fc.property(
        fc.string({ minLength: 1, maxLength: 40 }),
        fc.dictionary(fc.string({ minLength: 1, maxLength: 20 }), fc.string({ minLength: 1, maxLength: 60 }), { minKeys: 1, maxKeys: 10 }),
        fc.oneof(fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true })),
        fc.constantFrom(1_700_000_000, 1_700_000_000_123),
        (metric, tags, value, timestamp) => {
          const point = { metric, tags, value, timestamp };
          const exact = new TextEncoder().encode(JSON.stringify(point)).length;
          const estimate = estimateBytes(point);
          // Within a factor of 3 either way even for escapes and non-ASCII; ASCII is much closer.
          expect(estimate).toBeGreaterThanOrEqual(exact / 3);
          expect(estimate).toBeLessThanOrEqual(exact * 3);
        },
      ),
    );
    const ascii = {
      metric: "http.server.requests.count",
      timestamp: 1_700_000_000_123,
      value: 12345,
      tags: { host: "web-1", route: "/api/orders" },
    };
    const exact = JSON.stringify(ascii).length;
    expect(Math.abs(estimateBytes(ascii) - exact) / exact).toBeLessThan(0.1);
  });
});
