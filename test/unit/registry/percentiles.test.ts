import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { MetricsRegistry } from "../../../src/registry";
import { quantileOf } from "../../../src/registry/percentile";
import type { SketchState } from "../../../src/registry/percentile";
import { Sketch } from "../../../src/registry/sketch";
import { pyformancePercentile } from "../../support/percentile";
import { mulberry32 } from "../../support/random";

const FIELDS: [string, number][] = [
  ["50_percentile", 0.5],
  ["75_percentile", 0.75],
  ["95_percentile", 0.95],
  ["99_percentile", 0.99],
  ["999_percentile", 0.999],
];

function fields(values: readonly number[]): Record<string, number> {
  const r = new MetricsRegistry();
  const h = r.histogram("h");
  for (const v of values) h.update(v);
  return Object.fromEntries(r.collect().map((p) => [p.metric.slice(2), p.value]));
}

/** Positive distributions, by name, drawing from a seeded generator. */
const DISTRIBUTIONS: Record<string, (rand: () => number) => number> = {
  uniform: (rand) => 1 + rand() * 999,
  "log-normal": (rand) => Math.exp(3 + 1.5 * Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand())),
  exponential: (rand) => -50 * Math.log(1 - rand()) + 0.001,
  pareto: (rand) => 10 / (1 - rand()) ** (1 / 1.2),
  bimodal: (rand) => (rand() < 0.7 ? 20 + rand() * 5 : 800 + rand() * 100),
  "small integers": (rand) => 1 + Math.floor(rand() * 10),
  constant: () => 42,
};

function withinOnePercent(got: number, exact: number, what: string): void {
  expect(Math.abs(got - exact) / Math.abs(exact), `${what}: got ${got}, exact ${exact}`).toBeLessThanOrEqual(0.01);
}

/** The state a relay would hold after adding the bucket counts of `sketches` (no Sketch class involved). */
function addedBucketCounts(sketches: Sketch[]): SketchState {
  const pos = new Map<number, number>();
  let count = 0;
  let zero = 0;
  let min = Infinity;
  let max = -Infinity;
  for (const s of sketches) {
    count += s.count;
    zero += s.zero;
    min = Math.min(min, s.min);
    max = Math.max(max, s.max);
    s.pos.counts.forEach((c, j) => c && pos.set(s.pos.offset + j, (pos.get(s.pos.offset + j) ?? 0) + c));
  }
  const indices = [...pos.keys()];
  const offset = Math.min(...indices);
  const counts = new Array<number>(Math.max(...indices) - offset + 1).fill(0);
  for (const [i, c] of pos) counts[i - offset] = c;
  return { count, min, max, zero, pos: { offset, counts } };
}

describe("percentiles: pyformance's definition", () => {
  it("matches pyformance on its small-sample cases", () => {
    expect(fields([100, 200, 300])).toMatchObject({
      "75_percentile": 300,
      "95_percentile": 300,
      "99_percentile": 300,
      "999_percentile": 300,
    });
    withinOnePercent(fields([100, 200, 300])["50_percentile"]!, 200, "p50 of 100, 200, 300");
    const ten = fields([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    withinOnePercent(ten["75_percentile"]!, 8.25, "p75 of 1..10");
    expect([ten["95_percentile"], ten["999_percentile"]]).toEqual([10, 10]);
    withinOnePercent(ten["50_percentile"]!, 5.5, "p50 of 1..10");
    // One or two values: exact (the min and max are kept exactly).
    expect(fields([7])).toMatchObject({ "50_percentile": 7, "999_percentile": 7 });
    expect(fields([10, 20])).toMatchObject({ "50_percentile": 15, "75_percentile": 20 });
    expect(fields([])["50_percentile"]).toBe(0);
  });

  it("property: every percentile field within 1 % of the definition for samples of 1 to 10,000 values, in the registry and after merging random writers' sketches", () => {
    const sample = fc.record({
      distribution: fc.constantFrom(...Object.keys(DISTRIBUTIONS)),
      n: fc.oneof(fc.integer({ min: 1, max: 30 }), fc.integer({ min: 1, max: 10_000 })),
      seed: fc.integer(),
      writers: fc.integer({ min: 1, max: 8 }),
    });
    fc.assert(
      fc.property(sample, ({ distribution, n, seed, writers }) => {
        const rand = mulberry32(seed);
        const draw = DISTRIBUTIONS[distribution]!;
        const values = Array.from({ length: n }, () => draw(rand));
        const got = fields(values);
        const sketches = Array.from({ length: writers }, () => new Sketch());
        for (const v of values) sketches[Math.floor(rand() * writers)]!.add(v);
        const merged = addedBucketCounts(sketches.filter((s) => s.count > 0));
        const sorted = [...values].sort((a, b) => a - b);
        for (const [field, q] of FIELDS) {
          const exact = pyformancePercentile(sorted, q);
          withinOnePercent(got[field]!, exact, `${distribution} n=${n} ${field}`);
          withinOnePercent(quantileOf(merged, q), exact, `${distribution} n=${n} ${field}, ${writers} writers merged`);
        }
      }),
      { numRuns: 150 },
    );
  });

  it("Sketch.merge and adding bucket counts give the same percentiles", () => {
    const rand = mulberry32(5);
    const a = new Sketch();
    const b = new Sketch();
    for (let i = 0; i < 1_000; i++) (rand() < 0.5 ? a : b).add(DISTRIBUTIONS["log-normal"]!(rand));
    const added = addedBucketCounts([a, b]);
    a.merge(b);
    for (const [, q] of FIELDS) expect(quantileOf(added, q)).toBe(quantileOf(a, q));
  });
});
