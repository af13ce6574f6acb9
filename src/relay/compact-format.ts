/**
 * The compact browser → relay format (see compact-schema.ts for the layout): a string
 * table, a series table and runs of values, so that one 64 KiB beacon carries several
 * times more points than OpenTSDB JSON while staying a JSON text (a `text/plain` string
 * beacon needs no CORS preflight).
 */
import * as v from "valibot";
import type { DataPoint, Tags } from "../core/types";
import { CompactFormatError } from "./errors/compact-format-error";
import { CompactPayloadSchema, type CompactPayload } from "./compact-schema";
import { issuePath } from "./issue-path";
import { FORBIDDEN_KEYS, MAX_WIRE_MS, MS_MIN, wireToMs } from "../core/wire-rules";
import { toWireTimestamp, type WirePoint } from "../core/wire";
import { checkRunCount, decodeCompactV2, type DeltaRow } from "./compact-v2";

/** Content type a client may use to say "this body is the compact format". */
export const COMPACT_CONTENT_TYPE = "application/vnd.apptuit.compact+json";

/** Wire timestamps at or above this are milliseconds (OpenTSDB's rule, as core/wire.ts). */

interface Series {
  metric: string;
  entries: [string, string][];
}

/**
 * Encodes points as one compact payload. Accepts core's `WirePoint`s (seconds or 13-digit
 * milliseconds) and `DataPoint`s (seconds with fractions, or a `Date`). Throws
 * `CompactFormatError` for a point that could not be sent anyway (non-finite value, …).
 */
export function encodeCompact(points: ReadonlyArray<WirePoint | DataPoint>): string {
  return JSON.stringify(buildPayload(points));
}

function buildPayload(points: ReadonlyArray<WirePoint | DataPoint>): Omit<CompactPayload, "u"> & { u?: "ms" } {
  const seriesIndex = new Map<string, number>();
  const series: Series[] = [];
  const pointSeries = new Int32Array(points.length);
  const pointMs = new Float64Array(points.length);
  let allSeconds = true;
  let minMs = Infinity;

  points.forEach((point, i) => {
    const { metric, tags, timestamp, value } = point;
    checkMetricAndValue(metric, value, i);
    const entries = tagEntries(tags, i);
    const key = JSON.stringify([metric, entries]);
    let s = seriesIndex.get(key);
    if (s === undefined) {
      s = series.length;
      seriesIndex.set(key, s);
      series.push({ metric, entries });
    }
    const ms = toMilliseconds(timestamp, i);
    pointSeries[i] = s;
    pointMs[i] = ms;
    if (ms % 1000 !== 0) allSeconds = false;
    if (ms < minMs) minMs = ms;
  });

  const unit = allSeconds ? 1000 : 1;
  const t0 = points.length === 0 ? 0 : minMs / unit;
  const strings = stringTable(series);
  // The unit is written only when it is not the default "s": every byte counts in a beacon.
  const payload: Omit<CompactPayload, "u"> & { u?: "ms" } = {
    v: 1,
    ...(allSeconds ? {} : { u: "ms" as const }),
    t0,
    k: strings.list,
    s: series.map((one) => [strings.index(one.metric), ...one.entries.flatMap(([k, val]) => [strings.index(k), strings.index(val)])]),
    p: runs(points, pointSeries, pointMs, unit, t0) as CompactPayload["p"],
  };
  return payload;
}

/** The checks every encoder makes on a point's name and value. */
export function checkMetricAndValue(metric: unknown, value: unknown, i: number): void {
  if (typeof metric !== "string" || metric === "") throw new CompactFormatError("metric must be a non-empty string", `[${i}].metric`);
  if (typeof value !== "number" || !Number.isFinite(value)) throw new CompactFormatError("value must be a finite number", `[${i}].value`);
}

/** A point's tags as sorted, checked entries (shared with `CompactWriter`). */
export function tagEntries(tags: Tags | undefined, i: number): [string, string][] {
  if (tags === undefined) return [];
  if (tags === null || typeof tags !== "object") throw new CompactFormatError("tags must be an object", `[${i}].tags`);
  const entries = Object.entries(tags);
  for (const [k, val] of entries) {
    if (typeof val !== "string" || val === "" || k === "")
      throw new CompactFormatError("tag keys and values must be non-empty strings", `[${i}].tags.${k}`);
    if (FORBIDDEN_KEYS.has(k)) throw new CompactFormatError(`forbidden tag key "${k}"`, `[${i}].tags`);
  }
  return entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

/**
 * A point's time in integer milliseconds, after core's seconds → wire rule (fractions kept
 * as milliseconds, except before 1970-02-19 where milliseconds would read as seconds).
 */
export function toMilliseconds(timestamp: number | Date, i: number): number {
  const raw = timestamp instanceof Date ? timestamp.getTime() / 1000 : timestamp;
  if (typeof raw !== "number" || !Number.isFinite(raw) || raw < 0) {
    throw new CompactFormatError("timestamp must be a finite number ≥ 0 or a Date", `[${i}].timestamp`);
  }
  // A WirePoint may already carry milliseconds; seconds go through core's rounding rule.
  const wire = raw >= MS_MIN && Number.isInteger(raw) ? raw : toWireTimestamp(raw);
  return wireToMs(wire);
}

/** Most-used strings first, so the common ones get one-digit indices. */
function stringTable(series: Series[]): { list: string[]; index(s: string): number } {
  const counts = new Map<string, number>();
  const bump = (s: string) => counts.set(s, (counts.get(s) ?? 0) + 1);
  for (const one of series) {
    bump(one.metric);
    for (const [k, val] of one.entries) {
      bump(k);
      bump(val);
    }
  }
  // Map keeps first-seen order, and sort is stable: ties keep it.
  const list = [...counts.keys()].sort((a, b) => counts.get(b)! - counts.get(a)!);
  const at = new Map(list.map((s, i) => [s, i]));
  return { list, index: (s) => at.get(s)! };
}

/** Points ordered by time, then series; consecutive series at one time share a run. */
function runs(points: ReadonlyArray<unknown>, pointSeries: Int32Array, pointMs: Float64Array, unit: number, t0: number): number[][] {
  const order = Array.from(points.keys()).sort((a, b) => pointMs[a]! - pointMs[b]! || pointSeries[a]! - pointSeries[b]!);
  const out: number[][] = [];
  let run: number[] | undefined;
  let lastMs = NaN;
  let lastSeries = -2;
  for (const i of order) {
    const ms = pointMs[i]!;
    const s = pointSeries[i]!;
    if (run === undefined || ms !== lastMs || s !== lastSeries + 1) {
      run = [ms / unit - t0, s];
      out.push(run);
    }
    run.push((points[i] as { value: number }).value);
    lastMs = ms;
    lastSeries = s;
  }
  return out;
}

export interface DecodeCompactOptions {
  /** Most points to expand; more → `CompactFormatError` with `tooLarge`. */
  maxPoints?: number;
  /** Most bytes of OpenTSDB JSON the payload may expand to (estimated before expanding); more → `tooLarge`. */
  maxExpandedBytes?: number;
}

/** Version 2 rows as points: the value (a count or a reading) with the series' kind and delta beside it. */
function fromDeltaRows(rows: DeltaRow[]): WirePoint[] {
  return rows.map(
    ({ metric, tags, timestamp, kind, value, dist }) =>
      ({ metric, tags, timestamp, value, delta: dist === undefined ? { kind } : { kind, ...dist } }) as WirePoint,
  );
}

/**
 * Validates and expands a compact payload (a parsed JSON value, or its text) into OpenTSDB
 * rows (core's `WirePoint`): timestamps in seconds, or integer milliseconds (≥ 2^32) when
 * the payload has `u: "ms"`. A version 2 payload gives one row per delta, its kind and
 * delta in `delta` (`kind` "sum" or "mean" rows are plain points).
 * Throws `CompactFormatError` naming what was wrong and where.
 */
export function decodeCompact(input: unknown, options: DecodeCompactOptions = {}): WirePoint[] {
  if (typeof input === "string") {
    try {
      input = JSON.parse(input);
    } catch (error) {
      throw new CompactFormatError(`invalid JSON: ${(error as Error).message.slice(0, 160)}`);
    }
  }
  if (typeof input !== "object" || input === null || Array.isArray(input)) {
    throw new CompactFormatError("a compact payload is an object {v: 1, t0, k, s, p}");
  }
  if ((input as { v?: unknown }).v === 2)
    return fromDeltaRows(
      decodeCompactV2(input, { maxPoints: options.maxPoints ?? Infinity, maxExpandedBytes: options.maxExpandedBytes ?? Infinity }),
    );
  if (options.maxPoints !== undefined) checkRunCount((input as { p?: unknown }).p, options.maxPoints);
  const parsed = v.safeParse(CompactPayloadSchema, input);
  if (!parsed.success) {
    const issue = parsed.issues[0];
    throw new CompactFormatError(issue.message, issuePath(issue));
  }
  const payload = parsed.output;
  const series = decodeSeries(payload);

  let total = 0;
  for (const run of payload.p) total += run.length - 2;
  if (options.maxPoints !== undefined && total > options.maxPoints) {
    throw new CompactFormatError(`${total} points, more than the ${options.maxPoints} allowed`, undefined, { tooLarge: true });
  }

  if (options.maxExpandedBytes !== undefined) {
    const bytes = series.map((one) => {
      let n = 48 + one.metric.length;
      for (const key in one.tags) n += key.length + one.tags[key]!.length + 6;
      return n;
    });
    let expanded = 0;
    for (const run of payload.p) for (let j = 2; j < run.length; j++) expanded += bytes[run[1] + j - 2] ?? 0;
    // Before a single row exists: a small payload naming one long series thousands of times stops here.
    if (expanded > options.maxExpandedBytes) {
      throw new CompactFormatError(
        `the payload expands to about ${expanded} bytes, more than the ${options.maxExpandedBytes} allowed`,
        undefined,
        { tooLarge: true },
      );
    }
  }

  const ms = payload.u === "ms";
  // Seconds must stay below the milliseconds range, and milliseconds above it, or a server
  // would read them in the wrong unit.
  const [lowest, highest] = ms ? [MS_MIN, MAX_WIRE_MS + 1] : [0, MS_MIN];
  const out: WirePoint[] = [];
  payload.p.forEach((run, r) => {
    const [dt, first] = run;
    const timestamp = payload.t0 + dt;
    if (!(timestamp >= lowest && timestamp < highest)) {
      throw new CompactFormatError(`timestamp ${timestamp} out of range for unit "${payload.u}"`, `p[${r}][0]`);
    }
    if (first + run.length - 2 > series.length) {
      throw new CompactFormatError(`series index out of range (${series.length} series)`, `p[${r}][1]`);
    }
    for (let j = 2; j < run.length; j++) {
      const one = series[first + j - 2]!;
      out.push({ metric: one.metric, timestamp, value: run[j]!, tags: { ...one.tags } });
    }
  });
  return out;
}

function decodeSeries(payload: CompactPayload): { metric: string; tags: Tags }[] {
  const { k } = payload;
  return payload.s.map((row, s) => {
    for (let j = 0; j < row.length; j++) {
      if (row[j]! >= k.length) throw new CompactFormatError(`string index out of range (${k.length} strings)`, `s[${s}][${j}]`);
    }
    const tags: Tags = {};
    for (let j = 1; j < row.length; j += 2) {
      const key = k[row[j]!]!;
      if (FORBIDDEN_KEYS.has(key)) throw new CompactFormatError(`forbidden tag key "${key}"`, `s[${s}][${j}]`);
      if (Object.hasOwn(tags, key)) throw new CompactFormatError(`duplicate tag key "${key}"`, `s[${s}][${j}]`);
      tags[key] = k[row[j + 1]!]!;
    }
    return { metric: k[row[0]!]!, tags };
  });
}
