// The page's own compact v2 writer: exact byte counts, and bodies the relay's decoder reads
// back to the very points, kinds and distributions that went in.
import { describe, expect, it } from "vitest";
import type { WirePoint } from "../../../src/core/wire";
import { cutBody } from "../../../src/core/body-cutter";
import { pageBody } from "../../../src/platforms/browser/page-writer";
import { decodeCompactV2 } from "../../../src/relay/compact-v2";

const bytesOf = (text: string) => new TextEncoder().encode(text).byteLength;
const decode = (text: string) => decodeCompactV2(JSON.parse(text) as object, { maxPoints: 1e6, maxExpandedBytes: 1e12 });

const timer = { kind: "timer" as const, sum: 40, sumsq: 1000, min: 10, max: 30, zero: 0, pos: [3, 1, 0, 1], neg: [] };
function points(n: number): WirePoint[] {
  return Array.from({ length: n }, (_, i) => {
    const p: WirePoint = {
      metric: i % 5 === 0 ? "render" : "clicks",
      timestamp: 1_700_000_000_123 + (i % 3) * 1000,
      value: i % 5 === 0 ? 2 : i,
      tags: { page: `é${i % 7}`, b: `${i}` },
    };
    p.delta = i % 5 === 0 ? timer : { kind: "sum" };
    return p;
  });
}

describe("pageBody", () => {
  it("knows its exact UTF-8 size after every point, and the relay decodes every point back", () => {
    const w = pageBody();
    const all = points(300);
    for (const p of all) {
      expect(w.tryAdd(p, Infinity)).toBe(true);
      expect(bytesOf(w.finish())).toBe(w.bytes);
    }
    const rows = decode(w.finish());
    expect(rows.map((r) => [r.metric, r.tags, r.timestamp, r.kind, r.value])).toEqual(
      all.map((p) => [p.metric, p.tags, p.timestamp, p.delta!.kind, p.value]),
    );
    const { kind: _, ...dist } = timer;
    expect(rows[0]!.dist).toEqual(dist);
  });

  it("writes the prepared points' milliseconds as they are, and one run carries a flush's series in order", () => {
    const w = pageBody();
    for (let i = 0; i < 4; i++) w.tryAdd({ metric: "m", timestamp: 1_700_000_000_000, value: i, tags: { s: `${i}` } }, Infinity);
    const payload = JSON.parse(w.finish()) as { p: unknown[][] };
    expect(payload.p).toEqual([[1_700_000_000_000, 0, 0, 1, 2, 3]]);
    expect(decode(w.finish()).map((r) => r.timestamp)).toEqual([
      1_700_000_000_000, 1_700_000_000_000, 1_700_000_000_000, 1_700_000_000_000,
    ]);
  });

  it("a point that does not fit changes nothing: the body stays exact and decodable", () => {
    const all = points(400);
    let offset = 0;
    const out: WirePoint[] = [];
    while (offset < all.length) {
      const writer = pageBody();
      const next = cutBody(all, offset, all.length, 2_000, writer);
      expect(next).toBeGreaterThan(offset);
      expect(writer.count).toBe(next - offset);
      const body = writer.finish();
      expect(writer.bytes).toBe(bytesOf(body));
      expect(writer.bytes).toBeLessThanOrEqual(2_000);
      out.push(...decode(body).map((r) => ({ metric: r.metric, timestamp: r.timestamp, value: r.value, tags: r.tags })));
      offset = next;
    }
    expect(out).toEqual(all.map(({ delta: _, ...p }) => p));
    const tooSmall = pageBody();
    expect(cutBody(all, 0, all.length, 60, tooSmall)).toBe(0);
    expect(tooSmall.count).toBe(0);
  });
});
