import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ApptuitValidationError } from "../../../src/core/errors/validation-error";
import type { CollectedPoint } from "../../../src/core/types";
import { EMPTY_TAG_VALUE, MetricsRegistry, MetricKindError, SERIES_REFUSED, SERIES_REPAIRED, TRUNCATION_MARK } from "../../../src/registry";
import type { InvalidSeriesEvent } from "../../../src/registry";

const KINDS = ["counter", "gauge", "meter", "histogram", "timer"] as const;
type Kind = (typeof KINDS)[number];

function meta(points: CollectedPoint[], name: string): number {
  return points.find((p) => p.metric === `${name}.count`)?.value ?? 0;
}

function watched(options: { maxSeries?: number } = {}) {
  const events: InvalidSeriesEvent[] = [];
  const registry = new MetricsRegistry({ ...options, onInvalidSeries: (e) => events.push(e) });
  return { registry, events };
}

function lookup(r: MetricsRegistry, kind: Kind, name: unknown, tags?: unknown) {
  return (r[kind] as (n: unknown, t?: unknown) => unknown)(name, tags);
}

/** Every method of a handle, called with `value`. */
function useHandle(handle: unknown, value: unknown): void {
  const h = handle as Record<string, (...args: unknown[]) => unknown>;
  for (const method of ["inc", "dec", "mark", "update", "set"]) if (typeof h[method] === "function") h[method]!(value);
  if (typeof h.time === "function") {
    h.time!(value);
    h.time!(() => value);
    (h.start!() as () => number)();
  }
  for (const method of ["snapshot", "meanRate", "oneMinuteRate", "fiveMinuteRate", "fifteenMinuteRate"])
    if (typeof h[method] === "function") h[method]!();
  void h.count;
}

describe("recording never throws (default mode)", () => {
  it("repairs route templates, empty and over-long values, non-string names; counts and names each repair", () => {
    const { registry: r, events } = watched();
    r.counter("http./users/{id}").inc();
    r.counter("GET /a/{b}/c", { m: "GET" }).inc();
    expect(events).toEqual([]); // plain names: nothing to repair
    r.counter("ok", { route: "" }).inc();
    r.counter("ua", { agent: "a".repeat(2_000) }).inc();
    r.counter(42 as unknown as string).inc();
    const points = r.collect();
    const byName = (m: string) => points.find((p) => p.metric === m)!;
    expect(byName("http./users/{id}.count").value).toBe(1);
    expect(byName("GET /a/{b}/c.count").tags).toEqual({ m: "GET" });
    expect(byName("ok.count").tags).toEqual({ route: EMPTY_TAG_VALUE });
    const agent = byName("ua.count").tags.agent!;
    expect(agent.length).toBe(1_024);
    expect(agent.endsWith(TRUNCATION_MARK)).toBe(true);
    expect(byName("42.count").value).toBe(1);
    expect(meta(points, SERIES_REPAIRED)).toBe(3);
    expect(events.map((e) => [e.action, e.kind, e.series?.name])).toEqual([
      ["repaired", "counter", "ok"],
      ["repaired", "counter", "ua"],
      ["repaired", "counter", "42"],
    ]);
    expect(events[0]!.reasons[0]).toMatch(/tag "route" has an empty value: recorded as "\(empty\)"/);
  });

  it("the same repaired lookup returns the same handle, counted each time", () => {
    const { registry: r } = watched();
    const a = r.timer("t", { route: "" });
    expect(r.timer("t", { route: "" })).toBe(a);
    expect(r.timer("t", { route: EMPTY_TAG_VALUE })).toBe(a);
    expect(meta(r.collect(), SERIES_REPAIRED)).toBe(2);
  });

  it("never cuts a surrogate pair in half when truncating", () => {
    const r = new MetricsRegistry();
    r.counter("e", { v: `a${"😀".repeat(1_000)}` }).inc();
    const value = r.collect()[0]!.tags.v!;
    expect(value.length).toBeLessThanOrEqual(1_024);
    expect(value.endsWith(`😀${TRUNCATION_MARK}`)).toBe(true);
  });

  it("refuses what cannot be repaired with a detached handle: counted, named, nothing reported", () => {
    const { registry: r, events } = watched();
    r.counter("latency").inc();
    const throwing = Object.defineProperty({}, "k", {
      enumerable: true,
      get() {
        throw new Error("getter");
      },
    });
    const refused = [
      () => r.histogram("latency"), // another kind's name
      () => r.counter(undefined as unknown as string),
      () => r.counter(""),
      () => r.counter("   "),
      () => r.counter(Symbol("s") as unknown as string),
      () => r.counter({} as unknown as string),
      () => r.counter("x", "tags" as never),
      () => r.counter("x", ["a"] as never),
      () => r.counter("x", { "": "v" }),
      () => r.counter("x", Object.fromEntries(Array.from({ length: 26 }, (_, i) => [`k${i}`, "v"]))),
      () => r.counter("x", throwing),
    ];
    for (const call of refused) {
      const handle = call() as { inc?: () => void; update?: (v: number) => void };
      handle.inc?.();
      handle.update?.(1);
    }
    const points = r.collect();
    expect(meta(points, SERIES_REFUSED)).toBe(refused.length);
    expect(events.map((e) => e.action)).toEqual(refused.map(() => "refused"));
    expect(events[0]!.reasons[0]).toMatch(/already registered as a counter/);
    expect(events.at(-1)!.reasons[0]).toBe("Error: getter");
    expect(points.filter((p) => !p.metric.startsWith("apptuit.")).map((p) => p.metric)).toEqual(["latency.count"]);
  });

  it("null tags are no tags; null and undefined values are left out", () => {
    const r = new MetricsRegistry();
    const a = r.counter("n");
    expect(r.counter("n", null as never)).toBe(a);
    expect(r.counter("n", { region: undefined as unknown as string })).toBe(a);
  });

  it("a gauge callback or timed function that is not a function is ignored and counted as an invalid update", () => {
    const r = new MetricsRegistry();
    const g = r.gauge("g", {}, 42 as unknown as () => number);
    g.set(3);
    expect(r.timer("t").time(7 as unknown as () => number)).toBeUndefined();
    const points = r.collect();
    expect(points.find((p) => p.metric === "g.value")!.value).toBe(3);
    expect(points.find((p) => p.metric === "t.count")!.value).toBe(0);
    expect(meta(points, "apptuit.registry.invalid_updates")).toBe(2);
  });

  it("property: random names, tags and values never throw, and every repair and refusal is counted", () => {
    const huge = fc.integer({ min: 1_025, max: 5_000 }).map((n) => "x".repeat(n));
    const text = fc.oneof(
      fc.string({ maxLength: 12 }),
      fc.constantFrom("http./users/{id}", 'm{"a": "b"}', 'm {"a": ""}', "m{", " m ", "{}", ""),
      huge,
    );
    const throwingGetter = fc.constant(null).map(() =>
      Object.defineProperty({ [fc.toStringMethod]: () => "{ get boom() { throw } }" }, "boom", {
        enumerable: true,
        get() {
          throw new TypeError("getter threw");
        },
      }),
    );
    const value = fc.oneof(fc.anything(), fc.constant(undefined), fc.constant(Symbol("v")), text, fc.double(), throwingGetter);
    const tags = fc.oneof(
      fc.constant(undefined),
      fc.dictionary(fc.oneof(text, fc.constantFrom("__proto__", "constructor", "toString")), value, { maxKeys: 4 }),
      fc.anything(),
      throwingGetter,
      fc.dictionary(fc.string({ maxLength: 3 }), fc.string(), { minKeys: 26, maxKeys: 30 }),
    );
    const name = fc.oneof(text, fc.anything(), fc.constant(Symbol("n")), fc.integer(), fc.constant(undefined));
    const call = fc.record({ kind: fc.constantFrom(...KINDS), name, tags, value });
    fc.assert(
      fc.property(fc.array(call, { minLength: 1, maxLength: 12 }), fc.integer({ min: 1, max: 20 }), (calls, maxSeries) => {
        const { registry: r, events } = watched({ maxSeries });
        for (const c of calls) {
          const before = events.length;
          const handle = lookup(r, c.kind, c.name, c.tags);
          useHandle(handle, c.value);
          // At most one repair or refusal per lookup; one for sure when the name is not a string.
          expect(events.length - before).toBeLessThanOrEqual(1);
          if (typeof c.name !== "string") expect(events.length - before).toBe(1);
        }
        const points = r.collect();
        r.collect({ temporality: "delta" });
        const count = (action: string) => events.filter((e) => e.action === action).length;
        expect(meta(points, SERIES_REPAIRED)).toBe(count("repaired"));
        expect(meta(points, SERIES_REFUSED)).toBe(count("refused"));
        // What is reported fits the write API's limits.
        for (const p of points) {
          expect(p.metric.length).toBeLessThanOrEqual(1_024 + 20);
          for (const [k, v] of Object.entries(p.tags)) {
            expect(k.length).toBeGreaterThan(0);
            expect(k.length).toBeLessThanOrEqual(1_024);
            expect(v.length).toBeGreaterThan(0);
            expect(v.length).toBeLessThanOrEqual(1_024);
          }
        }
      }),
      { numRuns: 300 },
    );
  });

  it("a lookup is repaired or refused exactly when its input breaks a rule", () => {
    const clean: [Kind, string, Record<string, string> | undefined][] = [
      ["counter", "a", undefined],
      ["meter", "b", { k: "v" }],
      ["timer", 'c{"k": "v"}', { j: "w" }],
      ["histogram", "http./users/{id}", { route: "/users/{id}" }],
    ];
    const { registry: r, events } = watched();
    for (const [kind, name, tags] of clean) lookup(r, kind, name, tags);
    expect(events).toEqual([]);
  });
});

describe("strict mode", () => {
  it("throws for what default mode would repair or refuse", () => {
    const r = new MetricsRegistry({ strict: true });
    r.counter("latency");
    expect(() => r.counter("ok", { route: "" })).toThrow(ApptuitValidationError);
    expect(() => r.counter("ua", { agent: "a".repeat(2_000) })).toThrow(/1024/);
    expect(() => r.counter(42 as unknown as string)).toThrow(/metric name is a number/);
    expect(() => r.counter(undefined as unknown as string)).toThrow(/non-empty string/);
    expect(() => r.histogram("latency")).toThrow(MetricKindError);
    expect(() => r.gauge("g", {}, 1 as unknown as () => number)).toThrow(TypeError);
    // Route templates are plain names in both modes.
    expect(() => r.counter("http./users/{id}")).not.toThrow();
    expect(r.collect().filter((p) => p.metric.startsWith("apptuit."))).toEqual([]);
  });
});
