/**
 * Valibot schema of the compact browser → relay payload (version 1). The shape:
 *
 * ```json
 * {"v":1,"t0":1700000000,"k":["page.lcp","page","/","browser","chrome"],
 *  "s":[[0,1,2,3,4]],"p":[[0,0,812.5],[10,0,790]]}
 * ```
 *
 * - `v`  format version, always 1.
 * - `u`  timestamp unit: `"s"` (default, integer seconds) or `"ms"` (integer milliseconds,
 *        used only when some timestamp has a fraction of a second).
 * - `t0` base timestamp in unit `u`; every point's timestamp is `t0 + dt`, `dt ≥ 0`.
 * - `k`  string table: metric names, tag keys and tag values, each stored once.
 * - `s`  series table: `[metric, key1, value1, key2, value2, …]` as indices into `k`.
 * - `p`  runs: `[dt, s, v0, v1, …]` = value `v0` for series `s`, `v1` for series `s+1`, …
 *        all at `t0 + dt`. A flush of every series at one timestamp is one run, so a point
 *        costs little more than the digits of its value.
 *
 * This file checks types and local shape; cross-references (indices in range, forbidden
 * keys, timestamp bounds) are checked by `decodeCompact`, which knows the whole payload.
 */
import * as v from "valibot";
import { MAX_NAME_LENGTH, MAX_TAGS } from "../core/wire-rules";

/** Bounds that keep a hostile payload from costing more than its bytes. */
export const COMPACT_LIMITS = {
  /** Most distinct strings in `k`. */
  maxStrings: 100_000,
  /** Longest string in `k` (UTF-16 code units). */
  maxStringLength: MAX_NAME_LENGTH,
  /** Most series in `s`. */
  maxSeries: 10_000,
  /** Most tags on one series (the write API's limit is 25 after all tag sets merge). */
  maxTags: MAX_TAGS,
} as const;

const Index = v.pipe(
  v.number("indices must be integers ≥ 0"),
  v.safeInteger("indices must be integers ≥ 0"),
  v.minValue(0, "indices must be integers ≥ 0"),
);

const SeriesSchema = v.pipe(
  v.array(Index),
  v.minLength(1, "a series needs at least its metric index"),
  v.maxLength(1 + 2 * COMPACT_LIMITS.maxTags, `a series has at most ${COMPACT_LIMITS.maxTags} tags`),
  v.check((row) => row.length % 2 === 1, "a series is [metric, key, value, …]: its length must be odd"),
);

const RUN = "a run is [dt, series, value, …] of finite numbers";
const Value = v.pipe(v.number(RUN), v.finite(RUN));

/** A run: `[dt, firstSeries, value, value, …]`. */
const RunSchema = v.tupleWithRest([Index, Index, Value], Value, RUN);

/** The frame both compact versions share: time unit, time origin and string table. */
export const COMPACT_FRAME = {
  u: v.optional(v.picklist(["s", "ms"], 'timestamp unit u must be "s" or "ms"'), "s"),
  t0: v.pipe(v.number(), v.safeInteger("t0 must be an integer"), v.minValue(0)),
  k: v.pipe(
    v.array(v.pipe(v.string(), v.minLength(1, "empty string"), v.maxLength(COMPACT_LIMITS.maxStringLength))),
    v.maxLength(COMPACT_LIMITS.maxStrings, `at most ${COMPACT_LIMITS.maxStrings} strings`),
  ),
};

export const CompactPayloadSchema = v.object(
  {
    v: v.literal(1, "unsupported compact format version (expected v: 1, or 2 with kinds and deltas)"),
    ...COMPACT_FRAME,
    s: v.pipe(v.array(SeriesSchema), v.maxLength(COMPACT_LIMITS.maxSeries, `at most ${COMPACT_LIMITS.maxSeries} series`)),
    p: v.array(RunSchema),
  },
  "a compact payload is an object {v: 1, t0, k, s, p}",
);

export type CompactPayload = v.InferOutput<typeof CompactPayloadSchema>;
