import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { takeFitting } from "../../../src/platforms/browser/chunk";
import { KeepaliveQuota, utf8Length } from "../../../src/platforms/browser/quota";
import type { WirePoint } from "../../../src/core/wire";
import { encodeCompact } from "../../../src/relay/compact-format";

describe("utf8Length", () => {
  it("equals TextEncoder's byte count for any string, lone surrogates included", () => {
    const encoder = new TextEncoder();
    fc.assert(fc.property(fc.string({ unit: "binary" }), (s) => utf8Length(s) === encoder.encode(s).byteLength));
    expect(utf8Length("é€😀")).toBe(2 + 3 + 4);
  });
});

describe("KeepaliveQuota", () => {
  it("books bytes until released, never beyond the limit", () => {
    const quota = new KeepaliveQuota(100);
    expect(quota.tryReserve(60)).toBe(true);
    expect(quota.tryReserve(41)).toBe(false);
    expect(quota.available).toBe(40);
    quota.release(60);
    expect(quota.tryReserve(100)).toBe(true);
    expect(quota.available).toBe(0);
  });

  it("holds a beacon's bytes until its timer fires", () => {
    const timers: (() => void)[] = [];
    const quota = new KeepaliveQuota(100, (fn) => timers.push(fn));
    quota.hold(70);
    expect(quota.available).toBe(30);
    timers[0]!();
    expect(quota.available).toBe(100);
  });
});

const point = (i: number, tag = `s${i}`): WirePoint => ({ metric: "m.é", timestamp: 1_700_000_000 + (i % 3), value: i * 1.5, tags: { series: tag } });

describe("takeFitting", () => {
  it("returns the longest prefix whose encoding fits, with its exact byte count", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 300 }), fc.integer({ min: 60, max: 6000 }), (n, maxBytes) => {
        const points = Array.from({ length: n }, (_, i) => point(i));
        const chunk = takeFitting(points, maxBytes, encodeCompact);
        const size = (k: number) => utf8Length(encodeCompact(points.slice(0, k)));
        if (chunk === undefined) return size(1) > maxBytes;
        expect(chunk.bytes).toBe(size(chunk.count));
        expect(chunk.body).toBe(encodeCompact(points.slice(0, chunk.count)));
        expect(chunk.bytes).toBeLessThanOrEqual(maxBytes);
        if (chunk.count < n) expect(size(chunk.count + 1)).toBeGreaterThan(maxBytes);
        return true;
      }),
      { numRuns: 60 },
    );
  });

  it("works with plain JSON too", () => {
    const points = Array.from({ length: 50 }, (_, i) => point(i));
    const chunk = takeFitting(points, 1000, (p) => JSON.stringify(p))!;
    expect(JSON.parse(chunk.body)).toEqual(points.slice(0, chunk.count));
    expect(utf8Length(JSON.stringify(points.slice(0, chunk.count + 1)))).toBeGreaterThan(1000);
  });
});
