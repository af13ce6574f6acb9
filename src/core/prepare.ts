import * as v from "valibot";
import type { DataPoint, Tags, TimeSeriesInput } from "./types";
import type { WirePoint } from "./wire";
import { toWireTimestamp } from "./wire";
import { mergeTags } from "./tags";
import { sanitizeTagKeys } from "./sanitize";
import { DataPointSchema, InputTagsSchema, PreparedPointSchema } from "./schemas/point";
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

/**
 * Validate → merge tags (point > call > global) → sanitize → check charset and tag count.
 * Throws `ApptuitValidationError` at the first bad point; no I/O.
 */
export function preparePoints(points: readonly DataPoint[], ctx: PrepareContext, callTags?: Tags): WirePoint[] {
  if (!Array.isArray(points)) {
    throw new ApptuitValidationError("Invalid input: points must be an array of datapoints", {
      index: -1,
      point: points,
      rule: "points must be an array",
    });
  }
  const call = prepareCallTags(callTags, ctx);
  const out: WirePoint[] = new Array(points.length);
  for (let i = 0; i < points.length; i++) {
    const point = points[i];
    const parsed = v.safeParse(DataPointSchema, point, { abortEarly: true });
    if (!parsed.success) throw invalid(i, point, parsed.issues[0]);
    const { metric, tags, timestamp, value } = parsed.output;
    const wire: WirePoint = {
      metric: ctx.sanitize(metric),
      timestamp: toWireTimestamp(timestamp),
      value,
      tags: mergeTags(ctx.globalTags, call, sanitizeTagKeys(tags, ctx.sanitize)),
    };
    const checked = v.safeParse(PreparedPointSchema, wire, { abortEarly: true });
    if (!checked.success) throw invalid(i, point, checked.issues[0]);
    out[i] = wire;
  }
  return out;
}

const SeriesSchema = v.pipe(
  v.object(
    {
      metric: v.unknown(),
      tags: v.unknown(),
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
    throw new ApptuitValidationError("Invalid input: series must be an array", { index: -1, point: series, rule: "series must be an array" });
  }
  const out: WirePoint[] = [];
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
    try {
      for (const p of preparePoints(points, ctx, callTags)) out.push(p);
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
