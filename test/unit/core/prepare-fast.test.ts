import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ApptuitValidationError, type DataPoint, type SanitizeMode, type Tags } from "../../../src/core";
import { fastRow, type PrepareContext, preparePoints, prepareSeries, startRun, strictRow } from "../../../src/core/prepare";
import { createSanitizer, sanitizeTagKeys } from "../../../src/core/sanitize";
import type { WirePoint } from "../../../src/core/wire";

// The fast path of `preparePoints` must accept exactly what the valibot schemas accept
// (`strictRow`, the code path prepare had before the fast path) and build the same rows.

const context = (mode: SanitizeMode, globalTags: Tags = {}): PrepareContext => {
  const sanitize = createSanitizer(mode);
  return { sanitize, globalTags: sanitizeTagKeys(globalTags, sanitize) };
};

const protoTags = (): Tags => JSON.parse('{"__proto__": "p", "host": "a"}') as Tags;
const manyTags = (n: number, prefix = "k"): Tags => Object.fromEntries(Array.from({ length: n }, (_, i) => [`${prefix}${i}`, "v"]));

const nameArb = fc.oneof(
  fc.constantFrom(
    "m",
    "app.requests.count",
    "",
    "__proto__",
    "constructor",
    "toString",
    "1abc",
    "a b",
    "a-b",
    "a_b",
    "a__b",
    "a/b",
    "ünïcødé",
    "日本語",
    "\uD800",
    "😀",
    "x".repeat(300),
    "_",
    "-",
    "٣",
    // Around the 1,024-character limit, also where sanitizing shortens a name (prometheus "a__b" → "a_b").
    "x".repeat(1_024),
    "x".repeat(1_025),
    `a${"_".repeat(2)}${"b".repeat(1_022)}`,
    "%".repeat(1_025),
  ),
  fc.string({ maxLength: 12 }),
  fc.string({ unit: "grapheme", maxLength: 6 }),
  fc.stringMatching(/^[a-z][a-z0-9_.]{0,10}$/),
);

const tagValueArb: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 6, arbitrary: fc.string({ minLength: 1, maxLength: 5 }) },
  fc.constantFrom("", 8080, 0, Number.NaN, true, null, undefined, {}, ["a"], "v".repeat(1_024), "v".repeat(1_025)),
);

const tagsArb: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 6, arbitrary: fc.dictionary(nameArb, tagValueArb, { maxKeys: 5 }) },
  { weight: 2, arbitrary: fc.dictionary(fc.stringMatching(/^[a-z]{1,3}$/), fc.constant("v"), { minKeys: 22, maxKeys: 28 }) },
  fc.constantFrom(undefined, null, "host=a", 5, [], ["a"], new Date(0), {}),
  fc.constant(null).map(() => protoTags()),
  fc.constantFrom(24, 25, 26).map((n) => manyTags(n)),
);

const timestampArb: fc.Arbitrary<unknown> = fc.oneof(
  fc.integer({ min: 0, max: 2_000_000_000 }),
  fc.double({ min: -10, max: 2e11 }),
  fc.constantFrom(0, -0, -1, 1e11, 1e11 + 1, 1_700_000_000.5, 1_700_000_000_000, Number.NaN, Infinity, -Infinity, Number.MIN_VALUE),
  fc.constantFrom("1700000000", null, undefined, 1n, {}),
  fc.oneof(fc.integer({ min: -1e6, max: 1e14 }), fc.constant(Number.NaN)).map((ms) => new Date(ms)),
);

const valueArb: fc.Arbitrary<unknown> = fc.oneof(
  fc.double(),
  fc.integer(),
  fc.constantFrom(Number.NaN, Infinity, -Infinity, -0, Number.MAX_VALUE, "1", null, undefined, 1n, true),
);

const pointArb: fc.Arbitrary<unknown> = fc.oneof(
  {
    weight: 10,
    arbitrary: fc.record(
      { metric: fc.oneof(nameArb, fc.constantFrom(5, null, undefined)), tags: tagsArb, timestamp: timestampArb, value: valueArb },
      { requiredKeys: ["metric", "timestamp", "value"] },
    ),
  },
  fc.constantFrom(null, undefined, "m", 1, [], new Date(0)),
);

const ctxArb = fc.record({
  mode: fc.constantFrom<SanitizeMode>("prometheus", "apptuit", false),
  global: fc.oneof(
    fc.constant({}),
    fc.constant({ app: "x" }),
    fc.constant(manyTags(20, "g")),
    fc.constant({ "bad key": "v" }),
    fc.constant(protoTags()),
  ),
  call: fc.oneof(fc.constant(undefined), fc.constant({}), fc.constant({ region: "eu" }), fc.constant({ "1st": "v", host: "b" })),
});

function strict(point: unknown, index: number, run: ReturnType<typeof startRun>): { row?: WirePoint; error?: unknown } {
  try {
    return { row: strictRow(point, index, run) };
  } catch (error) {
    return { error };
  }
}

/** What prepare did before the fast path: the schemas on every point, stopping at the first bad one. */
function reference(points: readonly unknown[], ctx: PrepareContext, call?: Tags): { rows?: WirePoint[]; error?: unknown } {
  try {
    const run = startRun(ctx, call);
    return { rows: points.map((p, i) => strictRow(p, i, run)) };
  } catch (error) {
    return { error };
  }
}

function actual(points: readonly unknown[], ctx: PrepareContext, call?: Tags): { rows?: WirePoint[]; error?: unknown } {
  try {
    return { rows: preparePoints(points as DataPoint[], ctx, call) };
  } catch (error) {
    return { error };
  }
}

const errorFields = (e: unknown) => {
  expect(e).toBeInstanceOf(ApptuitValidationError);
  const { message, index, point, rule, path, seriesIndex } = e as ApptuitValidationError;
  return { message, index, point, rule, path, seriesIndex };
};

function expectSameOutcome(got: { rows?: WirePoint[]; error?: unknown }, want: { rows?: WirePoint[]; error?: unknown }): void {
  if (want.error !== undefined) {
    expect(got.rows).toBeUndefined();
    expect(errorFields(got.error)).toEqual(errorFields(want.error));
  } else {
    expect(got.error).toBeUndefined();
    // Byte for byte: same keys in the same order.
    expect(JSON.stringify(got.rows)).toBe(JSON.stringify(want.rows));
  }
}

describe("fast path of preparePoints", () => {
  it("accepts exactly the points the valibot schemas accept, building the same row", () => {
    fc.assert(
      fc.property(ctxArb, pointArb, ({ mode, global, call }, point) => {
        const run = startRun(context(mode, global), call);
        const fast = fastRow(point, run);
        const slow = strict(point, 0, run);
        expect(fast !== undefined).toBe(slow.row !== undefined);
        if (fast !== undefined) expect(JSON.stringify(fast)).toBe(JSON.stringify(slow.row));
      }),
      { numRuns: 3000 },
    );
  });

  it("agrees with the schemas on batches sharing tags objects: same rows or the same error", () => {
    const batchArb = fc.tuple(
      ctxArb,
      fc.array(tagsArb, { minLength: 1, maxLength: 4 }),
      fc.array(fc.tuple(pointArb, fc.nat(3)), { maxLength: 12 }),
    );
    fc.assert(
      fc.property(batchArb, ([{ mode, global, call }, shared, items]) => {
        // Points re-use a few tags objects, as the registry does for the fields of a series.
        const points = items.map(([p, k]) =>
          typeof p === "object" && p !== null && !Array.isArray(p) && !(p instanceof Date) && k > 0
            ? { ...p, tags: shared[k % shared.length] }
            : p,
        );
        const ctx = context(mode, global);
        expectSameOutcome(actual(points, ctx, call), reference(points, ctx, call));
      }),
      { numRuns: 1500 },
    );
  });

  const good = { metric: "m", tags: { host: "a" }, timestamp: 1_700_000_000, value: 1 };

  it.each<[string, unknown]>([
    ["NaN value", { ...good, value: Number.NaN }],
    ["+Infinity value", { ...good, value: Infinity }],
    ["-Infinity timestamp", { ...good, timestamp: -Infinity }],
    ["millisecond timestamp", { ...good, timestamp: 1_700_000_000_000 }],
    ["millisecond Date-like number", { ...good, timestamp: 1e11 + 1 }],
    ["invalid Date", { ...good, timestamp: new Date(Number.NaN) }],
    ["empty metric", { ...good, metric: "" }],
    ["26 tags", { ...good, tags: manyTags(26) }],
    ["non-string tag value", { ...good, tags: { port: 8080 } }],
    ["Date as tags", { ...good, tags: new Date(0) }],
    ["array as tags", { ...good, tags: ["a"] }],
  ])("%s is refused by the fast path and named by the schemas", (_, point) => {
    const run = startRun(context("prometheus"), undefined);
    expect(fastRow(point, run)).toBeUndefined();
    const error = errorFields(actual([good, point], context("prometheus")).error);
    expect(error).toEqual(errorFields(strict(point, 1, run).error));
    expect(error.index).toBe(1);
  });

  it("edge values the schemas accept pass the fast path: 25 tags, 1e11 s, -0, Dates, __proto__ keys, Unicode names", () => {
    const run = startRun(context("apptuit"), undefined);
    for (const point of [
      { ...good, tags: manyTags(25) },
      { ...good, timestamp: 1e11 },
      { ...good, timestamp: -0, value: -0 },
      { ...good, timestamp: new Date(1_700_000_000_123) },
      { ...good, tags: protoTags() },
      { ...good, metric: "日本語.ünï", tags: { ключ: "значение" } },
      { ...good, metric: "x".repeat(1000) },
    ]) {
      const row = fastRow(point, run);
      expect(row).toBeDefined();
      expect(JSON.stringify(row)).toBe(JSON.stringify(strictRow(point, 0, run)));
    }
  });

  it("an own __proto__ tag stays a plain own key and never reaches the prototype", () => {
    // Sanitize off keeps the key as given (the other modes collapse its underscores).
    const [row] = preparePoints([{ ...good, tags: protoTags() }], context(false));
    expect(Object.getPrototypeOf(row!.tags)).toBe(Object.prototype);
    expect(Object.keys(row!.tags)).toEqual(["__proto__", "host"]);
    expect(JSON.stringify(row!.tags)).toBe('{"__proto__":"p","host":"a"}');
    // From the global tags too (copied into every row), with the point's own tags on top.
    const [merged] = preparePoints([{ ...good, tags: { host: "b" } }], context(false, protoTags()));
    expect(Object.getPrototypeOf(merged!.tags)).toBe(Object.prototype);
    expect(JSON.stringify(merged!.tags)).toBe('{"__proto__":"p","host":"b"}');
  });

  it("merges global < call < point tags, sanitizes keys, and keeps the wire key order", () => {
    const ctx = context("prometheus", { app: "x", host: "global" });
    const tags = { "http.method": "GET", host: "point", "http-method": "POST" };
    const rows = preparePoints([{ metric: "a.b-c", tags, timestamp: 1_700_000_000.25, value: 2 }], ctx, { region: "eu", app: "call" });
    expect(JSON.stringify(rows)).toBe(
      '[{"metric":"a_b_c","timestamp":1700000000250,"value":2,"tags":{"app":"call","host":"point","region":"eu","http_method":"POST"}}]',
    );
  });

  it("points sharing a tags object get equal rows, and a later bad point is still found", () => {
    const tags = { route: "/a", method: "GET" };
    const points = ["count", "mean_rate", "m1_rate"].map((f, i) => ({ metric: `t.${f}`, tags, timestamp: 1_700_000_000, value: i }));
    const rows = preparePoints(points, context("prometheus"));
    expect(rows.map((r) => r.tags)).toEqual([tags, tags, tags]);
    const bad = [...points, { metric: "t.max", tags, timestamp: 1_700_000_000, value: Number.NaN }];
    expect(errorFields(actual(bad, context("prometheus")).error)).toMatchObject({ index: 3, path: "value" });
  });

  it("a bad global tag key (sanitize off) refuses every point with the schemas' error", () => {
    const ctx = context(false, { "bad key": "v" });
    const error = errorFields(actual([good], ctx).error);
    expect(error.rule).toMatch(/tag key "bad key" may only contain/);
    expect(error.index).toBe(0);
  });

  it("sendTimeseries input: rows of every series in order, errors naming series and point", () => {
    const ctx = context("prometheus");
    const series = [
      { metric: "s.a", tags: { k: "v" }, timestamps: [1_700_000_000, 1_700_000_001], values: [1, 2] },
      { metric: "s.b", tags: { k: "w" }, timestamps: [1_700_000_002], values: [3] },
    ];
    expect(prepareSeries(series, ctx).map((r) => [r.metric, r.timestamp, r.value, r.tags.k])).toEqual([
      ["s_a", 1_700_000_000, 1, "v"],
      ["s_a", 1_700_000_001, 2, "v"],
      ["s_b", 1_700_000_002, 3, "w"],
    ]);
    let error: unknown;
    try {
      prepareSeries([series[0]!, { ...series[1]!, values: [Infinity] }], ctx);
    } catch (e) {
      error = e;
    }
    expect(errorFields(error)).toMatchObject({ seriesIndex: 1, index: 0, path: "value" });
  });
});
