import * as v from "valibot";
import type { DataPoint, Tags, TimeSeriesInput } from "./types";
import type { WirePoint } from "./wire";
import { toWireTimestamp } from "./wire";
import { mergeTags, setTag } from "./tags";
import { checkedSanitizer, sanitizeTagKeys } from "./sanitize";
import { DataPointSchema, InputTagsSchema, PreparedPointSchema } from "./schemas/point";
import { MAX_NAME_LENGTH, MAX_TAGS, VALID_NAME } from "./wire-rules";
import { isFiniteNumber, isMetricName, timestampSeconds } from "./schemas/point-check";
import { isObject } from "./schemas/tags";
import { ApptuitValidationError } from "./errors/validation-error";

export interface PrepareContext {
  /** Bound, memoised sanitizer for names and tag keys. */
  sanitize: (name: string) => string;
  /** Global/env tags, keys already sanitized. */
  globalTags: Tags;
}

function describe(point: unknown): string {
  const metric = typeof point === "object" && point !== null ? (point as { metric?: unknown }).metric : undefined;
  return typeof metric === "string" ? ` (metric ${JSON.stringify(metric)})` : "";
}

function invalid(index: number, point: unknown, issue: v.BaseIssue<unknown>, where = `datapoint #${index}`): ApptuitValidationError {
  const path = v.getDotPath(issue) ?? undefined;
  return new ApptuitValidationError(`Invalid ${where}${describe(point)}: ${issue.message}`, {
    index,
    point,
    rule: issue.message,
    ...(path ? { path } : {}),
  });
}

/** Validates and sanitizes tags given for a whole call (reporter tags); throws with index -1. */
export function prepareCallTags(tags: Tags | undefined, ctx: PrepareContext): Tags | undefined {
  if (tags === undefined) return undefined;
  const result = v.safeParse(InputTagsSchema, tags, { abortEarly: true });
  if (!result.success) throw invalid(-1, tags, result.issues[0], "call tags");
  return sanitizeTagKeys(result.output, ctx.sanitize);
}

/** What one `preparePoints` call computes once and shares between its points. */
export interface PrepareRun {
  ctx: PrepareContext;
  /** Call tags, validated and sanitized. */
  call: Tags | undefined;
  /** Global tags merged with call tags: the lower layers of every point's tags. */
  base: Tags;
  baseCount: number;
  /** Whether every key of `base` is a valid name; if not, no point can pass the fast path. */
  baseValid: boolean;
  /** Sanitizes a name and checks its charset: `null` when invalid. */
  name: (name: string) => string | null;
  // One-entry memo: the registry hands the same tags object to every field of a series,
  // one after another, so the last input tags object and its merged output are kept.
  lastIn: unknown;
  lastOut: Tags | undefined;
  /** Raw tag keys seen last at each position, and their valid sanitized names. */
  keys: string[];
  names: string[];
}

/** Validates call tags and merges them with the global tags, once per call. */
export function startRun(ctx: PrepareContext, callTags?: Tags): PrepareRun {
  const call = prepareCallTags(callTags, ctx);
  const base = mergeTags(ctx.globalTags, call);
  const keys = Object.keys(base);
  return {
    ctx,
    call,
    base,
    baseCount: keys.length,
    baseValid: keys.every((key) => VALID_NAME.test(key)),
    name: checkedSanitizer(ctx.sanitize),
    lastIn: {},
    lastOut: undefined,
    keys: [],
    names: [],
  };
}

/** Merged, sanitized tags of a point if they pass every rule, else `undefined`. */
function fastTags(tags: unknown, run: PrepareRun): Tags | undefined {
  if (tags === run.lastIn) return run.lastOut;
  // `{}` rather than spreading an empty base: a literal has room for a few properties in place.
  // Spread keeps an own `__proto__` key as data; point keys go on top (point > call > global).
  const out: Tags = run.baseCount === 0 ? {} : { ...run.base };
  if (tags === undefined) {
    if (run.baseCount === 0) return undefined; // at least one tag (OpenTSDB rule)
  } else {
    if (!isObject(tags)) return undefined;
    const keys = Object.keys(tags);
    const seen = run.keys;
    for (let k = 0; k < keys.length; k++) {
      const raw = keys[k]!;
      const value = tags[raw];
      if (typeof value !== "string" || value === "" || value.length > MAX_NAME_LENGTH) return undefined;
      // Series of a family list the same keys in the same order: skip the name lookup then.
      let key: string | null;
      if (k < seen.length && seen[k] === raw) key = run.names[k]!;
      else {
        key = run.name(raw);
        if (key === null) return undefined;
        seen[k] = raw;
        run.names[k] = key;
      }
      setTag(out, key, value);
    }
    const upper = run.baseCount + keys.length; // keys may collide after sanitizing: count exactly only near the limit
    if (upper === 0 || (upper > MAX_TAGS && Object.keys(out).length > MAX_TAGS)) return undefined;
  }
  run.lastIn = tags;
  run.lastOut = out;
  return out;
}

/**
 * The fast path: plain type checks that accept exactly the points the valibot schemas
 * accept (`DataPointSchema`, then `PreparedPointSchema` on the merged row), without
 * building intermediate objects. `undefined` when the point breaks a rule; `strictRow`
 * then names it. Consecutive points with the same tags object share one output tags object.
 */
export function fastRow(point: unknown, run: PrepareRun): WirePoint | undefined {
  if (!run.baseValid || typeof point !== "object" || point === null) return undefined;
  const p = point as { metric?: unknown; tags?: unknown; timestamp?: unknown; value?: unknown };
  const metric = p.metric;
  if (!isMetricName(metric)) return undefined;
  const tags = fastTags(p.tags, run);
  if (tags === undefined) return undefined;
  const seconds = timestampSeconds(p.timestamp);
  if (seconds === -1) return undefined;
  const value = p.value;
  if (!isFiniteNumber(value)) return undefined;
  const name = run.name(metric);
  if (name === null) return undefined;
  return { metric: name, timestamp: toWireTimestamp(seconds), value, tags };
}

/** The schemas, as the source of truth: the wire row of a point, or the `ApptuitValidationError` naming its rule. */
export function strictRow(point: unknown, index: number, run: PrepareRun): WirePoint {
  const { ctx } = run;
  const parsed = v.safeParse(DataPointSchema, point, { abortEarly: true });
  if (!parsed.success) throw invalid(index, point, parsed.issues[0]);
  const { metric, tags, timestamp, value } = parsed.output;
  const wire: WirePoint = {
    metric: ctx.sanitize(metric),
    timestamp: toWireTimestamp(timestamp),
    value,
    tags: mergeTags(ctx.globalTags, run.call, sanitizeTagKeys(tags, ctx.sanitize)),
  };
  const checked = v.safeParse(PreparedPointSchema, wire, { abortEarly: true });
  if (!checked.success) throw invalid(index, point, checked.issues[0]);
  return wire;
}

function notAnArray(points: unknown): ApptuitValidationError {
  return new ApptuitValidationError("Invalid input: points must be an array of datapoints", {
    index: -1,
    point: points,
    rule: "points must be an array",
  });
}

/** Prepares `points` into `out` from `offset`; a point the fast path refuses goes through the schemas. */
function prepareInto(points: readonly DataPoint[], run: PrepareRun, out: WirePoint[], offset: number): void {
  for (let i = 0; i < points.length; i++) {
    const point = points[i];
    out[offset + i] = fastRow(point, run) ?? strictRow(point, i, run);
  }
}

/**
 * Validate → merge tags (point > call > global) → sanitize → check charset and tag count.
 * Throws `ApptuitValidationError` at the first bad point; no I/O. Rows of consecutive
 * points given the same tags object share their output tags object: treat rows as read-only.
 */
export function preparePoints(points: readonly DataPoint[], ctx: PrepareContext, callTags?: Tags): WirePoint[] {
  if (!Array.isArray(points)) throw notAnArray(points);
  const out = new Array<WirePoint>(points.length);
  prepareInto(points, startRun(ctx, callTags), out, 0);
  return out;
}

const SeriesSchema = v.pipe(
  v.object(
    {
      metric: v.unknown(),
      tags: v.optional(v.unknown()),
      timestamps: v.array(v.unknown(), "timestamps must be an array"),
      values: v.array(v.unknown(), "values must be an array"),
    },
    "a series must be an object {metric, tags, timestamps, values}",
  ),
  v.check((s) => s.timestamps.length === s.values.length, "timestamps and values must have the same length"),
);

/** `sendTimeseries` input → wire points; errors carry `seriesIndex` and the point index within it. */
export function prepareSeries(series: readonly TimeSeriesInput[], ctx: PrepareContext, callTags?: Tags): WirePoint[] {
  if (!Array.isArray(series)) {
    throw new ApptuitValidationError("Invalid input: series must be an array", {
      index: -1,
      point: series,
      rule: "series must be an array",
    });
  }
  const out: WirePoint[] = [];
  let run: PrepareRun | undefined; // started at the first well-formed series, as call tags were checked before
  for (let s = 0; s < series.length; s++) {
    const item: TimeSeriesInput | undefined = series[s];
    const checked = v.safeParse(SeriesSchema, item, { abortEarly: true });
    if (!checked.success) {
      const issue = checked.issues[0];
      throw new ApptuitValidationError(`Invalid series #${s}${describe(item)}: ${issue.message}`, {
        index: -1,
        point: item,
        rule: issue.message,
        seriesIndex: s,
      });
    }
    const { metric, tags, timestamps, values } = item!;
    const points: DataPoint[] = timestamps.map((timestamp: number | Date, i: number) => ({ metric, tags, timestamp, value: values[i]! }));
    run ??= startRun(ctx, callTags);
    try {
      prepareInto(points, run, out, out.length);
    } catch (error) {
      if (!(error instanceof ApptuitValidationError) || error.index < 0) throw error;
      throw new ApptuitValidationError(`Invalid series #${s}${describe(item)}, point #${error.index}: ${error.rule}`, {
        index: error.index,
        point: error.point,
        rule: error.rule,
        seriesIndex: s,
        ...(error.path ? { path: error.path } : {}),
      });
    }
  }
  return out;
}
