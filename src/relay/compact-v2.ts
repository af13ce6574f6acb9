/**
 * Compact format version 2 (docs/compact-format.md): version 1's string, series and run
 * tables, where each series starts with its kind and each value is a writer's delta —
 * a number (counts, a gauge's reading) or, for histograms and timers,
 * `[count, sum, sumsq, min, max, zero, pos, neg]` with the sketch's buckets.
 *
 * Bounds are checked before the costly work: run and value counts before the schema, and
 * the bytes the payload would expand to before any row is built.
 */
import * as v from "valibot";
import type { DeltaKind, DistributionDelta } from "../core/series-delta";
import type { Tags } from "../core/types";
import { MAX_DELTA_BUCKETS } from "../registry/sketch-delta";
import { COMPACT_FRAME, COMPACT_LIMITS } from "./compact-schema";
import { DELTA_KINDS } from "./delta-kinds";
import { CompactFormatError } from "./errors/compact-format-error";
import { issuePath } from "./issue-path";
import { FORBIDDEN_KEYS, MAX_WIRE_MS, MS_MIN } from "../core/wire-rules";

/** One writer's delta for one series at one time. `timestamp` in wire units (seconds, or ms ≥ 2^32). */
export interface DeltaRow {
  metric: string;
  tags: Tags;
  timestamp: number;
  kind: DeltaKind;
  /** The count (sum, meter, histogram, timer) or the reading (mean). */
  value: number;
  dist?: DistributionDelta;
}

const Index = v.pipe(v.number(), v.safeInteger("indices must be integers ≥ 0"), v.minValue(0, "indices must be integers ≥ 0"));
const Finite = v.pipe(v.number("must be a finite number"), v.finite("must be a finite number"));
const Count = v.pipe(v.number(), v.safeInteger("counts must be integers ≥ 0"), v.minValue(0, "counts must be integers ≥ 0"));
const Buckets = v.pipe(
  v.array(v.pipe(v.number(), v.safeInteger("bucket indices and counts must be integers"))),
  v.maxLength(MAX_DELTA_BUCKETS + 1, `at most ${MAX_DELTA_BUCKETS} buckets a side`),
  v.check((b) => b.every((c, j) => j === 0 || c >= 0), "bucket counts must be ≥ 0"),
);
const Distribution = v.pipe(
  v.strictTuple(
    [Count, Finite, v.pipe(Finite, v.minValue(0)), Finite, Finite, Count, Buckets, Buckets],
    "a distribution is [count, sum, sumsq, min, max, zero, pos, neg]",
  ),
  v.check(([count, , , min, max, zero, pos, neg]) => {
    let total = zero;
    for (let j = 1; j < pos.length; j++) total += pos[j]!;
    for (let j = 1; j < neg.length; j++) total += neg[j]!;
    return total === count && (count === 0 || min <= max);
  }, "a distribution's buckets must add up to its count, and min ≤ max"),
);
const Value = v.union([Finite, Distribution], "a value is a finite number or a distribution");
const Run = v.tupleWithRest([Index, Index, Value], Value, "a run is [dt, series, value, …]");
const Series = v.pipe(
  v.array(Index),
  v.minLength(2, "a series needs its kind and metric"),
  v.maxLength(2 + 2 * COMPACT_LIMITS.maxTags, `a series has at most ${COMPACT_LIMITS.maxTags} tags`),
  v.check((row) => row.length % 2 === 0, "a series is [kind, metric, key, value, …]: its length must be even"),
  v.check((row) => row[0]! < DELTA_KINDS.length, `unknown kind (0…${DELTA_KINDS.length - 1})`),
);

export const CompactV2Schema = v.object({
  v: v.literal(2),
  ...COMPACT_FRAME,
  s: v.pipe(v.array(Series), v.maxLength(COMPACT_LIMITS.maxSeries, `at most ${COMPACT_LIMITS.maxSeries} series`)),
  p: v.array(Run),
});

export interface DecodeV2Options {
  /** Most values (points) in the payload. */
  maxPoints: number;
  /** Most bytes of OpenTSDB JSON the payload may stand for once expanded. */
  maxExpandedBytes: number;
  /** Fields written upstream per value of a kind (expansion estimate). */
  fieldsPerKind?: (kind: DeltaKind) => number;
}

/** Counts runs and values of a parsed payload before any schema runs; 413 past `maxPoints`. */
export function checkRunCount(p: unknown, maxPoints: number): void {
  if (!Array.isArray(p)) return; // the schema says what is wrong
  let values = 0;
  for (const run of p) if (Array.isArray(run)) values += Math.max(0, run.length - 2);
  if (values > maxPoints)
    throw new CompactFormatError(`${values} points, more than the ${maxPoints} allowed`, undefined, { tooLarge: true });
}

/** Validates and decodes a parsed v2 payload into rows. Throws `CompactFormatError`. */
export function decodeCompactV2(input: object, options: DecodeV2Options): DeltaRow[] {
  checkRunCount((input as { p?: unknown }).p, options.maxPoints);
  const parsed = v.safeParse(CompactV2Schema, input);
  if (!parsed.success) {
    const issue = parsed.issues[0];
    throw new CompactFormatError(issue.message, issuePath(issue));
  }
  const payload = parsed.output;
  const series = payload.s.map((row, s) => {
    for (let j = 1; j < row.length; j++) {
      if (row[j]! >= payload.k.length)
        throw new CompactFormatError(`string index out of range (${payload.k.length} strings)`, `s[${s}][${j}]`);
    }
    const tags: Tags = {};
    // The bytes of one OpenTSDB row of this series, roughly: what amplification is measured in.
    let bytes = 48 + payload.k[row[1]!]!.length;
    for (let j = 2; j < row.length; j += 2) {
      const key = payload.k[row[j]!]!;
      if (FORBIDDEN_KEYS.has(key)) throw new CompactFormatError(`forbidden tag key "${key}"`, `s[${s}][${j}]`);
      if (Object.hasOwn(tags, key)) throw new CompactFormatError(`duplicate tag key "${key}"`, `s[${s}][${j}]`);
      tags[key] = payload.k[row[j + 1]!]!;
      bytes += key.length + tags[key]!.length + 6;
    }
    return { kind: DELTA_KINDS[row[0]!]!, metric: payload.k[row[1]!]!, tags, bytes };
  });

  const ms = payload.u === "ms";
  const [lowest, highest] = ms ? [MS_MIN, MAX_WIRE_MS + 1] : [0, MS_MIN];
  const fields = options.fieldsPerKind ?? (() => 1);
  let expanded = 0;
  payload.p.forEach((run, r) => {
    const timestamp = payload.t0 + run[0];
    if (!(timestamp >= lowest && timestamp < highest))
      throw new CompactFormatError(`timestamp ${timestamp} out of range for unit "${payload.u}"`, `p[${r}][0]`);
    if (run[1] + run.length - 2 > series.length)
      throw new CompactFormatError(`series index out of range (${series.length} series)`, `p[${r}][1]`);
    for (let j = 2; j < run.length; j++) {
      const one = series[run[1] + j - 2]!;
      expanded += one.bytes * fields(one.kind);
    }
  });
  // Before a single row exists: a small payload naming one long series thousands of times stops here.
  if (expanded > options.maxExpandedBytes) {
    throw new CompactFormatError(
      `the payload expands to about ${expanded} bytes, more than the ${options.maxExpandedBytes} allowed`,
      undefined,
      { tooLarge: true },
    );
  }

  const out: DeltaRow[] = [];
  payload.p.forEach((run, r) => {
    const timestamp = payload.t0 + run[0];
    for (let j = 2; j < run.length; j++) {
      const one = series[run[1] + j - 2]!;
      const value = run[j]!;
      const distribution = one.kind === "histogram" || one.kind === "timer";
      if (distribution !== Array.isArray(value)) {
        throw new CompactFormatError(`a ${one.kind} takes ${distribution ? "a distribution" : "a number"}`, `p[${r}][${j}]`);
      }
      if (typeof value === "number") {
        if (one.kind === "meter" && !(Number.isSafeInteger(value) && value >= 0))
          throw new CompactFormatError("a meter's count is an integer ≥ 0", `p[${r}][${j}]`);
        out.push({ metric: one.metric, tags: { ...one.tags }, timestamp, kind: one.kind, value });
      } else {
        const [count, sum, sumsq, min, max, zero, pos, neg] = value;
        out.push({
          metric: one.metric,
          tags: { ...one.tags },
          timestamp,
          kind: one.kind,
          value: count,
          dist: { sum, sumsq, min, max, zero, pos, neg },
        });
      }
    }
  });
  return out;
}
