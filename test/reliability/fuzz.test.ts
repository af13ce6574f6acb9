// Property-based fuzzing (fast-check) of the codecs and parsers that see untrusted text:
// encoded metric names, sanitizers, the compact format, the relay and the embedded backend.
import fc from "fast-check";
import { afterEach, describe, expect, it } from "vitest";
import { gzipSync } from "node:zlib";
import { Apptuit } from "../../src/core/client";
import { ApptuitError } from "../../src/core/errors/apptuit-error";
import { decodeMetric, encodeMetric, pyStrip } from "../../src/core/names";
import { sanitizeName } from "../../src/core/sanitize";
import type { Tags } from "../../src/core/types";
import type { WirePoint } from "../../src/core/wire";
import { createBackend } from "../../src/backend";
import { createRelay } from "../../src/relay";
import { decodeCompact, encodeCompact } from "../../src/relay/compact-format";
import { CompactFormatError } from "../../src/relay/errors/compact-format-error";
import { TOKEN } from "./support";

const RUNS = { numRuns: 400 };

/** Nothing may have been written onto the shared prototypes. */
function assertNoPollution(): void {
  for (const proto of [Object.prototype, Array.prototype]) {
    expect(Object.getOwnPropertyNames(proto).filter((k) => ["polluted", "x", "isAdmin"].includes(k))).toEqual([]);
  }
  expect(({} as Record<string, unknown>).polluted).toBeUndefined();
}
afterEach(assertNoPollution);

const hostileKeys = fc.constantFrom("__proto__", "constructor", "prototype", "toString", "hasOwnProperty", "");
const anyText = fc.string({ unit: "binary", maxLength: 24 });
/** Tags with arbitrary Unicode (lone surrogates included) and prototype-named keys. */
const tagsArb = fc.array(fc.tuple(fc.oneof(anyText, hostileKeys), anyText), { maxLength: 6 }).map((entries) => {
  const tags: Tags = {};
  for (const [k, v] of entries) Object.defineProperty(tags, k, { value: v, enumerable: true, writable: true, configurable: true });
  return tags;
});

describe("encodeMetric / decodeMetric", () => {
  it("round-trips arbitrary Unicode names (without '{' or surrounding space, which decoding strips) and tags, prototype-named keys included", () => {
    fc.assert(
      fc.property(
        anyText.filter((s) => !s.includes("{") && pyStrip(s) === s),
        tagsArb,
        (name, tags) => {
          const decoded = decodeMetric(encodeMetric(name, tags));
          expect(decoded.name).toBe(name);
          expect(Object.keys(decoded.tags).sort()).toEqual(Object.keys(tags).sort());
          for (const key of Object.keys(tags)) expect(Object.getOwnPropertyDescriptor(decoded.tags, key)?.value).toBe(tags[key]);
          expect(Object.getPrototypeOf(decoded.tags)).toBe(Object.prototype);
        },
      ),
      RUNS,
    );
  });

  it("on arbitrary text throws nothing but ApptuitError, and never pollutes a prototype", () => {
    const nearly = fc.oneof(
      fc.string({ maxLength: 40 }),
      fc.string({ unit: "binary", maxLength: 40 }),
      fc.tuple(fc.string({ maxLength: 6 }), fc.json({ maxDepth: 3 })).map(([n, j]) => `${n}${j}`),
      fc.constantFrom(
        'x{"__proto__": {"polluted": 1}}',
        'x{"constructor": {"prototype": {"polluted": 1}}}',
        "x{",
        "x{}}",
        "{",
        'x{"a": [1]}',
      ),
    );
    fc.assert(
      fc.property(nearly, (text) => {
        try {
          const { name, tags } = decodeMetric(text);
          expect(typeof name).toBe("string");
          for (const value of Object.values(tags)) expect(typeof value).toBe("string");
        } catch (error) {
          expect(error).toBeInstanceOf(ApptuitError);
          expect((error as Error).name).toBe("ApptuitValidationError");
        }
      }),
      { numRuns: 1_000 },
    );
  });
});

describe("sanitizeName", () => {
  const input = fc.oneof(
    fc.string({ maxLength: 40 }),
    fc.string({ unit: "binary", maxLength: 40 }),
    fc.string({ unit: fc.constantFrom("_", "a", "1", ".", "-", "/", " ", "é", "\u0301", "𝟘"), maxLength: 30 }),
  );
  it("prometheus: never throws, idempotent, output in [A-Za-z0-9_], no '__', no leading digit, empty only from empty", () => {
    fc.assert(
      fc.property(input, (name) => {
        const out = sanitizeName(name, "prometheus");
        expect(out).toMatch(/^[A-Za-z0-9_]*$/);
        expect(out).not.toContain("__");
        expect(out).not.toMatch(/^[0-9]/);
        expect(sanitizeName(out, "prometheus")).toBe(out);
        expect(out === "").toBe(name === "");
      }),
      { numRuns: 1_000 },
    );
  });

  it("apptuit: never throws, idempotent, output in Unicode letters/digits and - _ . /, no '__'", () => {
    fc.assert(
      fc.property(input, (name) => {
        const out = sanitizeName(name, "apptuit");
        expect(out).toMatch(/^[\p{L}\p{N}\-_./]*$/u);
        expect(out).not.toContain("__");
        expect(sanitizeName(out, "apptuit")).toBe(out);
        expect(out === "").toBe(name === "");
      }),
      { numRuns: 1_000 },
    );
  });

  it("a sanitized name always passes the client's validation (no point is refused for its charset)", () => {
    const client = new Apptuit({ token: TOKEN, sanitize: "apptuit" });
    const prom = new Apptuit({ token: TOKEN });
    fc.assert(
      fc.property(
        input.filter((s) => s !== ""),
        input.filter((s) => s !== ""),
        (metric, key) => {
          for (const c of [client, prom]) {
            const [row] = c.prepare([{ metric, tags: { [key]: "v" }, timestamp: 1_700_000_000, value: 1 }]);
            expect(row!.metric.length).toBeGreaterThan(0);
          }
        },
      ),
      RUNS,
    );
  });
});

describe("compact format", () => {
  const index = fc.nat({ max: 6 });
  /** Payloads near the valid shape, so the fuzzer reaches the cross-reference checks. */
  const nearPayload = fc.record(
    {
      v: fc.oneof(fc.constant(1), fc.jsonValue()),
      u: fc.oneof(fc.constant(undefined), fc.constantFrom("s", "ms", "h")),
      t0: fc.oneof(fc.constant(1_700_000_000), fc.constant(1_700_000_000_123), fc.integer(), fc.double()),
      k: fc.array(fc.oneof(fc.string({ maxLength: 8 }), hostileKeys, fc.jsonValue()), { maxLength: 6 }),
      s: fc.array(fc.array(fc.oneof(index, fc.jsonValue()), { maxLength: 7 }), { maxLength: 4 }),
      p: fc.array(fc.array(fc.oneof(index, fc.double(), fc.jsonValue()), { maxLength: 6 }), { maxLength: 4 }),
    },
    { requiredKeys: [] },
  );
  it("decodeCompact on arbitrary JSON throws only CompactFormatError and never pollutes", () => {
    fc.assert(
      fc.property(fc.oneof(fc.jsonValue(), nearPayload, fc.string()), (input) => {
        try {
          const points = decodeCompact(input);
          for (const p of points) {
            expect(Number.isFinite(p.value)).toBe(true);
            expect(typeof p.metric).toBe("string");
            for (const key of Object.keys(p.tags)) expect(["__proto__", "constructor", "prototype"]).not.toContain(key);
          }
        } catch (error) {
          expect(error).toBeInstanceOf(CompactFormatError);
        }
      }),
      { numRuns: 2_000 },
    );
  });

  it("encode → decode round-trips valid points (seconds and milliseconds)", () => {
    const name = fc.stringMatching(/^[a-z][a-z0-9_.]{0,10}$/);
    const point = fc.record({
      metric: name,
      tags: fc.dictionary(name, name, { maxKeys: 4, minKeys: 1 }),
      timestamp: fc.oneof(
        fc.integer({ min: 1_000_000_000, max: 2_000_000_000 }),
        fc.integer({ min: 1_000_000_000_000, max: 2_000_000_000_000 }).map((ms) => ms / 1000),
      ),
      value: fc.double({ noNaN: true, noDefaultInfinity: true }),
    });
    fc.assert(
      fc.property(fc.array(point, { minLength: 1, maxLength: 20 }), (points) => {
        const decoded = decodeCompact(encodeCompact(points));
        const key = (p: { metric: string; tags: Tags; timestamp: number; value: number }) =>
          `${p.metric}|${JSON.stringify(Object.entries(p.tags).sort())}|${p.timestamp >= 2 ** 32 ? p.timestamp / 1000 : p.timestamp}|${Object.is(p.value, -0) ? 0 : p.value}`;
        expect(decoded.map(key).sort()).toEqual(points.map((p) => key({ ...p, value: p.value })).sort());
      }),
      RUNS,
    );
  });
});

const rowArb = fc.record(
  {
    metric: fc.oneof(fc.stringMatching(/^[a-z.]{1,8}$/), fc.jsonValue(), fc.string({ unit: "binary", maxLength: 8 })),
    timestamp: fc.oneof(fc.integer({ min: 0, max: 2 ** 33 }), fc.double(), fc.jsonValue()),
    value: fc.oneof(fc.double(), fc.jsonValue()),
    tags: fc.oneof(
      fc.dictionary(fc.oneof(fc.string({ maxLength: 6 }), hostileKeys), fc.oneof(fc.string({ maxLength: 6 }), fc.jsonValue()), {
        maxKeys: 30,
      }),
      fc.jsonValue(),
    ),
  },
  { requiredKeys: [] },
);
const word = fc.stringMatching(/^[a-z][a-z0-9_.]{0,7}$/);
const nowSeconds = Math.floor(Date.now() / 1000);
const validRowArb = fc.record({
  metric: word,
  // Valid rows lie within the relay's accepted timestamps (an hour back, ten minutes ahead).
  timestamp: fc.integer({ min: nowSeconds - 3000, max: nowSeconds + 300 }),
  value: fc.double({ noNaN: true, noDefaultInfinity: true }),
  tags: fc.dictionary(word, word, { minKeys: 1, maxKeys: 4 }),
});
/** Any body a hostile or broken client could send: text, JSON, near-valid rows, garbage gzip. */
const bodyArb = fc.oneof(
  fc
    .tuple(fc.array(fc.oneof(validRowArb, validRowArb, rowArb), { minLength: 1, maxLength: 12 }), fc.boolean())
    .map(([rows, gzip]) => ({ text: JSON.stringify(rows), gzip })),
  fc.string({ maxLength: 200 }).map((text) => ({ text, gzip: false })),
  fc.jsonValue().map((j) => ({ text: JSON.stringify(j) ?? "null", gzip: false })),
  fc.tuple(fc.array(rowArb, { maxLength: 12 }), fc.boolean()).map(([rows, gzip]) => ({ text: JSON.stringify(rows), gzip })),
  fc.uint8Array({ maxLength: 64 }).map((bytes) => ({ bytes, gzip: true })),
);

function bodyOf(b: { text?: string; bytes?: Uint8Array; gzip: boolean }): Uint8Array<ArrayBuffer> {
  if (b.bytes) return new Uint8Array(b.bytes);
  return b.gzip ? new Uint8Array(gzipSync(b.text!)) : new TextEncoder().encode(b.text!);
}

describe("untrusted bodies never cause a 500", () => {
  it("backend /api/put answers 204/400/413/415, never 5xx, and stores only valid rows", async () => {
    const backend = createBackend({ maxPoints: 10 });
    await fc.assert(
      fc.asyncProperty(bodyArb, async (b) => {
        const headers: Record<string, string> = { "content-type": "application/json" };
        if (b.gzip) headers["content-encoding"] = "gzip";
        const response = await backend.fetch(
          new Request("http://backend.test/api/put?details", { method: "POST", headers, body: bodyOf(b) }),
        );
        expect([204, 400, 413, 415]).toContain(response.status);
        await response.body?.cancel();
      }),
      { numRuns: 600 },
    );
    // The near-valid rows reach the store: the fuzzer got past the parsers.
    expect(backend.points().length).toBeGreaterThan(0);
    for (const p of backend.points()) {
      expect(Number.isFinite(p.value)).toBe(true);
      expect(Object.keys(p.tags).length).toBeGreaterThan(0);
    }
  });

  it("relay answers 204/400/403/413/415, never 5xx, and forwards only valid points", async () => {
    const forwarded: WirePoint[] = [];
    const real = new Apptuit({ token: TOKEN, endpoint: "http://upstream.invalid" });
    const relay = createRelay({
      rateLimit: false,
      onError: null,
      client: {
        prepare: (points) => real.prepare(points),
        send: async () => ({ points: 0, requests: 0 }),
        sendPrepared: async (points) => {
          forwarded.push(...points);
          return { points: points.length, requests: 1 };
        },
      },
    });
    await fc.assert(
      fc.asyncProperty(
        bodyArb,
        fc.constantFrom("application/json", "text/plain", "application/vnd.apptuit.compact+json"),
        async (b, type) => {
          const headers: Record<string, string> = { "content-type": type };
          if (b.gzip) headers["content-encoding"] = "gzip";
          const response = await relay(new Request("http://relay.test/apptuit", { method: "POST", headers, body: bodyOf(b) }));
          expect([204, 400, 403, 413, 415]).toContain(response.status);
          if (response.status >= 400) expect(((await response.json()) as { error: unknown }).error).toEqual(expect.any(String));
        },
      ),
      { numRuns: 600 },
    );
    expect(forwarded.length).toBeGreaterThan(0);
    for (const p of forwarded) expect(Number.isFinite(p.value)).toBe(true);
  });
});
