import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { CompactFormatError, decodeCompact, encodeCompact, splitCompact } from "../../../src/relay";
import type { WirePoint } from "../../../src/core/wire";

const T = 1_700_000_000;
const bytes = (text: string) => new TextEncoder().encode(text).byteLength;
const key = (p: WirePoint) => JSON.stringify([p.metric, Object.entries(p.tags).sort(), p.timestamp, p.value]);
const sorted = (points: WirePoint[]) => points.map(key).sort();

function flushes(series: number, times: number): WirePoint[] {
  const out: WirePoint[] = [];
  for (let t = 0; t < times; t++) {
    for (let s = 0; s < series; s++) {
      out.push({ metric: `web.m${s % 5}`, timestamp: T + 10 * t, value: s + t / 4, tags: { page: `/p${s % 4}`, browser: "chrome" } });
    }
  }
  return out;
}

/** A minimal valid payload to break one field at a time. */
const base = () => ({ v: 1, t0: T, k: ["web.a", "host", "h1"], s: [[0, 1, 2]], p: [[0, 0, 1.5]] });

function decodeError(input: unknown): CompactFormatError {
  try {
    decodeCompact(input);
  } catch (error) {
    expect(error).toBeInstanceOf(CompactFormatError);
    return error as CompactFormatError;
  }
  throw new Error("decodeCompact accepted the input");
}

describe("encodeCompact / decodeCompact", () => {
  it("round-trips points exactly (as a multiset: runs are ordered by time)", () => {
    const points = flushes(20, 30);
    const text = encodeCompact(points);
    expect(sorted(decodeCompact(text))).toEqual(sorted(points));
    expect(sorted(decodeCompact(JSON.parse(text)))).toEqual(sorted(points));
  });

  it("stores each string once and packs one flush of consecutive series into one run", () => {
    const payload = JSON.parse(encodeCompact(flushes(20, 3)));
    expect(payload.v).toBe(1);
    expect(payload.t0).toBe(T);
    expect(payload.u).toBeUndefined(); // whole seconds: the default unit, not written
    expect(new Set(payload.k).size).toBe(payload.k.length);
    expect(payload.s).toHaveLength(20);
    expect(payload.p).toEqual([0, 10, 20].map((dt, t) => [dt, 0, ...Array.from({ length: 20 }, (_, s) => s + t / 4)]));
    // The most used strings get the smallest indices.
    expect(payload.k.slice(0, 2).sort()).toEqual(["browser", "chrome"]);
  });

  it("keeps sub-second timestamps as milliseconds (u: ms), like core's wire rule", () => {
    const points = [
      { metric: "web.a", timestamp: T + 0.25, value: 1, tags: { h: "x" } },
      { metric: "web.a", timestamp: new Date((T + 1) * 1000), value: 2, tags: { h: "x" } },
    ];
    const text = encodeCompact(points);
    expect(JSON.parse(text)).toMatchObject({ u: "ms", t0: T * 1000 + 250 });
    expect(decodeCompact(text).map((p) => p.timestamp)).toEqual([T * 1000 + 250, (T + 1) * 1000]);
  });

  it("accepts WirePoints already in milliseconds and DataPoints without tags", () => {
    const out = decodeCompact(
      encodeCompact([
        { metric: "web.a", timestamp: T * 1000 + 5, value: 1, tags: { a: "b" } },
        { metric: "web.b", timestamp: T, value: 2 },
      ]),
    );
    expect(out).toEqual([
      { metric: "web.b", timestamp: T * 1000, value: 2, tags: {} },
      { metric: "web.a", timestamp: T * 1000 + 5, value: 1, tags: { a: "b" } },
    ]);
  });

  it("refuses to encode what could not be sent", () => {
    expect(() => encodeCompact([{ metric: "m", timestamp: T, value: NaN, tags: { a: "b" } }])).toThrow(/\[0\]\.value/);
    expect(() => encodeCompact([{ metric: "", timestamp: T, value: 1 }])).toThrow(CompactFormatError);
    expect(() => encodeCompact([{ metric: "m", timestamp: T, value: 1, tags: { a: 1 as unknown as string } }])).toThrow(CompactFormatError);
    expect(() => encodeCompact([{ metric: "m", timestamp: -5, value: 1 }])).toThrow(/timestamp/);
    expect(() => encodeCompact([{ metric: "m", timestamp: T, value: 1, tags: JSON.parse('{"__proto__":"x"}') }])).toThrow(
      /forbidden tag key/,
    );
  });

  it("round-trips arbitrary points (property)", () => {
    const name = fc.stringMatching(/^[a-z][a-z0-9_.]{0,12}$/);
    const pointArb = fc.record({
      metric: name,
      tags: fc.dictionary(name, fc.string({ minLength: 1, maxLength: 6 }), { maxKeys: 4 }),
      timestamp: fc.integer({ min: 1_000_000_000, max: 2_000_000_000 }),
      value: fc.double({ noNaN: true, noDefaultInfinity: true }),
    });
    fc.assert(
      fc.property(fc.array(pointArb, { maxLength: 60 }), (points) => {
        const normalized = points.map((p) => ({ ...p, value: Object.is(p.value, -0) ? 0 : p.value }));
        expect(sorted(decodeCompact(encodeCompact(normalized)))).toEqual(sorted(normalized));
      }),
      { numRuns: 200 },
    );
  });
});

describe("decodeCompact validation", () => {
  it.each([
    ["wrong version", { ...base(), v: 3 }, /version/, "v"],
    ["string value", { ...base(), p: [[0, 0, "NaN"]] }, /finite numbers/, "p[0][2]"],
    ["null value (what JSON.stringify makes of NaN)", { ...base(), p: [[0, 0, null]] }, /number/, "p[0][2]"],
    ["fractional index", { ...base(), s: [[0.5, 1, 2]] }, /integer/, "s[0][0]"],
    ["even-length series", { ...base(), s: [[0, 1]] }, /odd/, "s[0]"],
    ["string index out of range", { ...base(), s: [[0, 1, 9]] }, /string index out of range/, "s[0][2]"],
    ["series index out of range", { ...base(), p: [[0, 0, 1, 2]] }, /series index out of range/, "p[0][1]"],
    ["run without a value", { ...base(), p: [[0, 0]] }, /run/, "p[0][2]"],
    ["__proto__ tag key", { ...base(), k: ["web.a", "__proto__", "x"] }, /forbidden tag key/, "s[0][1]"],
    ["constructor tag key", { ...base(), k: ["web.a", "constructor", "x"] }, /forbidden tag key/, "s[0][1]"],
    ["duplicate tag key", { ...base(), s: [[0, 1, 2, 1, 2]] }, /duplicate/, "s[0][3]"],
    [
      "26 tags",
      {
        ...base(),
        k: ["web.a", ...Array.from({ length: 26 }, (_, i) => `k${i}`)],
        s: [[0, ...Array.from({ length: 26 }, (_, i) => [i + 1, i + 1]).flat()]],
      },
      /at most 25 tags/,
      "s[0]",
    ],
    ["seconds that read as milliseconds", { ...base(), t0: 2 ** 32 }, /out of range/, "p[0][0]"],
    ["milliseconds that read as seconds", { ...base(), u: "ms" }, /out of range/, "p[0][0]"],
    ["negative dt", { ...base(), p: [[-1, 0, 1]] }, /./, "p[0][0]"],
    ["empty string", { ...base(), k: ["web.a", "host", ""] }, /empty string/, "k[2]"],
    ["array instead of an object", [1, 2], /object/, undefined],
  ])("%s", (_name, input, message, path) => {
    const error = decodeError(input);
    expect(error.message).toMatch(message);
    expect(error.path).toBe(path);
    expect(error.tooLarge).toBe(false);
  });

  it("bounds the series count", () => {
    const s = Array.from({ length: 10_001 }, () => [0]);
    expect(decodeError({ ...base(), s }).message).toMatch(/at most 10000 series/);
  });

  it("refuses more points than maxPoints before expanding them, flagged as too large", () => {
    const input = {
      ...base(),
      p: [
        [0, 0, 1],
        [10, 0, 2],
        [20, 0, 3],
      ],
    };
    expect(decodeCompact(input, { maxPoints: 3 })).toHaveLength(3);
    let error: unknown;
    try {
      decodeCompact(input, { maxPoints: 2 });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(CompactFormatError);
    expect((error as CompactFormatError).tooLarge).toBe(true);
  });

  it("reports invalid JSON text", () => {
    expect(decodeError('{"v":1,"t0":').message).toMatch(/invalid JSON/);
  });

  it("never lets a tag key reach an object's prototype", () => {
    const out = decodeCompact({ ...base(), k: ["web.a", "host", "toString"] });
    expect(out[0]!.tags).toEqual({ host: "toString" });
    expect(Object.getPrototypeOf(out[0]!.tags)).toBe(Object.prototype);
  });
});

describe("splitCompact", () => {
  it("returns one payload when everything fits, none for no points", () => {
    const points = flushes(3, 2);
    expect(splitCompact(points, 65_536)).toEqual([encodeCompact(points)]);
    expect(splitCompact([], 100)).toEqual([]);
  });

  it("keeps every payload within maxBytes of UTF-8 (not string length) and loses no point", () => {
    // Multi-byte tag values: string length would undercount bytes by ~3×.
    const points = flushes(40, 50).map((p, i) => ({
      ...p,
      tags: { ...p.tags, city: ["Zürich", "東京", "Đà Nẵng"][i % 3]! },
      value: i * 1.37,
    }));
    const max = 4_096;
    const parts = splitCompact(points, max);
    expect(parts.length).toBeGreaterThan(1);
    for (const part of parts) expect(bytes(part)).toBeLessThanOrEqual(max);
    // Not wastefully small: all but the last payload are at least 80% full.
    for (const part of parts.slice(0, -1)) expect(bytes(part)).toBeGreaterThan(0.8 * max);
    expect(sorted(parts.flatMap((part) => decodeCompact(part)))).toEqual(sorted(points));
  });

  it("throws when one point alone does not fit", () => {
    const points = [{ metric: "web.a", timestamp: T, value: 1, tags: { page: "x".repeat(500) } }];
    expect(() => splitCompact(points, 100)).toThrow(CompactFormatError);
    expect(() => splitCompact(points, 0)).toThrow(RangeError);
  });
});
