import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { WirePoint } from "../../../src/core/wire";
import { CompactFormatError, decodeCompact } from "../../../src/relay";
import { CompactWriter } from "../../../src/relay/compact-writer";

const T = 1_700_000_000;
const bytes = (text: string) => new TextEncoder().encode(text).byteLength;
const key = (p: WirePoint) => JSON.stringify([p.metric, Object.entries(p.tags).sort(), p.timestamp, p.value]);
const sorted = (points: WirePoint[]) => points.map(key).sort();
/** What decodeCompact gives back for a point: seconds, or milliseconds when the payload uses ms. */
const normalize = (p: WirePoint, ms: boolean): WirePoint => {
  const inMs = p.timestamp >= 2 ** 32 ? p.timestamp : p.timestamp * 1000;
  return { ...p, value: Object.is(p.value, -0) ? 0 : p.value, timestamp: ms ? inMs : inMs / 1000 };
};

const name = fc.stringMatching(/^[a-z][a-z0-9_.]{0,8}$/);
const text = fc.string({ minLength: 1, maxLength: 6, unit: "binary" }); // lone surrogates, quotes, controls, 4-byte characters
const pointArb = fc.record({
  metric: fc.oneof(name, text),
  tags: fc.dictionary(fc.oneof(name, fc.constantFrom("page", "host")), fc.oneof(text, fc.constantFrom("a", "b")), { maxKeys: 3 }),
  // Whole seconds, repeats, going back in time, and milliseconds (13 digits) that switch the unit.
  timestamp: fc.oneof(
    fc.constantFrom(T, T + 10, T - 5),
    fc.integer({ min: 1_000_000_000, max: 2_000_000_000 }),
    fc.integer({ min: T * 1000, max: T * 1000 + 99_999 }),
  ),
  value: fc.double({ noNaN: true, noDefaultInfinity: true }),
});

describe("CompactWriter", () => {
  it("knows its exact UTF-8 size after every point, and decodeCompact reads what it writes", () => {
    fc.assert(
      fc.property(fc.array(pointArb, { maxLength: 40 }), (points) => {
        const writer = new CompactWriter();
        expect(writer.bytes).toBe(bytes(writer.finish()));
        for (const p of points) {
          writer.add(p);
          expect(writer.bytes).toBe(bytes(writer.finish()));
        }
        const out = writer.finish();
        const ms = JSON.parse(out).u === "ms";
        expect(sorted(decodeCompact(out))).toEqual(sorted(points.map((p) => normalize(p, ms))));
        expect(writer.count).toBe(points.length);
      }),
      { numRuns: 300 },
    );
  });

  it("packs one collection (one timestamp, series in order) into one run, strings once", () => {
    const writer = new CompactWriter();
    for (let s = 0; s < 50; s++) writer.add({ metric: `m${s % 5}`, timestamp: T, value: s, tags: { page: `/p${s}`, browser: "chrome" } });
    for (let s = 0; s < 50; s++)
      writer.add({ metric: `m${s % 5}`, timestamp: T + 10, value: s + 0.5, tags: { page: `/p${s}`, browser: "chrome" } });
    const payload = JSON.parse(writer.finish());
    expect(payload.s).toHaveLength(50);
    expect(new Set(payload.k).size).toBe(payload.k.length);
    expect(payload.p.map((run: number[]) => run.slice(0, 2))).toEqual([
      [0, 0],
      [10, 0],
    ]);
  });

  it("tryAdd refuses a point that would not fit and changes nothing", () => {
    const writer = new CompactWriter();
    const p = (i: number): WirePoint => ({ metric: "m", timestamp: T, value: i, tags: { series: `s${i}` } });
    let i = 0;
    while (writer.tryAdd(p(i), 300)) i++;
    const before = writer.finish();
    expect(bytes(before)).toBeLessThanOrEqual(300);
    expect(writer.tryAdd(p(i), 300)).toBe(false);
    expect(writer.finish()).toBe(before);
    expect(writer.bytes).toBe(bytes(before));
    expect(writer.count).toBe(i);
    expect(writer.tryAdd(p(i), 10_000)).toBe(true);
  });

  it("cuts many points into bodies in one pass: each ≤ maxBytes, ≥ 90 % full but the last, none lost", () => {
    const points: WirePoint[] = [];
    for (let t = 0; t < 3; t++)
      for (let s = 0; s < 4_000; s++)
        points.push({
          metric: `app.requests_${s % 10}.count`,
          timestamp: T + 10 * t,
          value: s * 1.25,
          tags: { route: `/r/${s}`, city: ["Zürich", "東京", "Đà Nẵng"][s % 3]!, runtime: "browser" },
        });
    for (const max of [4_096, 65_536]) {
      const bodies: string[] = [];
      let writer = new CompactWriter();
      for (const p of points) {
        if (writer.tryAdd(p, max)) continue;
        bodies.push(writer.finish());
        writer = new CompactWriter();
        expect(writer.tryAdd(p, max)).toBe(true);
      }
      bodies.push(writer.finish());
      for (const body of bodies) expect(bytes(body)).toBeLessThanOrEqual(max);
      for (const body of bodies.slice(0, -1)) expect(bytes(body)).toBeGreaterThanOrEqual(0.9 * max);
      expect(sorted(bodies.flatMap((b) => decodeCompact(b)))).toEqual(sorted(points));
    }
  });

  it("checks points as encodeCompact does, naming the index in the caller's list", () => {
    const writer = new CompactWriter(7);
    writer.add({ metric: "m", timestamp: T, value: 1 });
    expect(() => writer.add({ metric: "m", timestamp: T, value: Number.NaN })).toThrow(/\[8\]\.value/);
    expect(() => writer.add({ metric: "", timestamp: T, value: 1 })).toThrow(CompactFormatError);
    expect(() => writer.add({ metric: "m", timestamp: -1, value: 1 })).toThrow(/timestamp/);
    expect(() => writer.add({ metric: "m", timestamp: T, value: 1, tags: JSON.parse('{"__proto__":"x"}') })).toThrow(/forbidden tag key/);
    expect(writer.count).toBe(1);
  });
});
