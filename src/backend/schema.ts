import * as v from "valibot";
import { FORBIDDEN_KEYS, MAX_TAGS, MAX_WIRE_MS, VALID_NAME, wireToMs } from "../core/wire-rules";

/**
 * Per-point validation of `/api/put` rows, with the rules of the real server (docs/wire-format.md).
 * Each message names the field and the rule; the first one becomes the point's `error`.
 */

export function isValidName(text: string): boolean {
  return VALID_NAME.test(text);
}

/**
 * Wire timestamp → milliseconds: integer seconds below 2^32, or integer milliseconds from
 * 2^32 up to 13 digits (what core's `toWireTimestamp` sends for fractional seconds).
 * Fractional numbers are refused, as OpenTSDB does.
 */
export function timestampToMs(timestamp: number): number | undefined {
  if (!Number.isSafeInteger(timestamp) || timestamp < 0 || timestamp > MAX_WIRE_MS) return undefined;
  return wireToMs(timestamp);
}

const MetricSchema = v.pipe(
  v.string("metric must be a string"),
  v.nonEmpty("metric must not be empty"),
  v.check(isValidName, (issue) => `invalid metric name ${quote(issue.input)}: only Unicode letters, digits and - _ . / are allowed`),
);

const TimestampSchema = v.pipe(
  v.number("timestamp must be a number"),
  v.check(
    (t) => timestampToMs(t) !== undefined,
    (issue) => `invalid timestamp ${String(issue.input)}: use integer seconds, or integer milliseconds (at least 2^32, at most 13 digits)`,
  ),
);

const ValueSchema = v.pipe(v.number("value must be a finite number"), v.finite("value must be a finite number"));

const TagsSchema = v.pipe(
  v.unknown(),
  v.check((input) => !Array.isArray(input), "tags must be an object of string values"),
  // Checked on the raw input: v.record silently skips these keys.
  v.check(
    (input) => !isObject(input) || !Object.keys(input).some((k) => FORBIDDEN_KEYS.has(k)),
    "tag key __proto__, constructor or prototype is not allowed",
  ),
  v.record(
    v.string(),
    v.pipe(v.string("tag values must be strings"), v.nonEmpty("tag values must not be empty")),
    "tags must be an object of string values",
  ),
  v.check((tags) => Object.keys(tags).length >= 1, "a point needs at least one tag"),
  v.check(
    (tags) => Object.keys(tags).length <= MAX_TAGS,
    (issue) => `too many tags: ${Object.keys(issue.input).length} (at most ${MAX_TAGS})`,
  ),
  v.check(
    (tags) => Object.keys(tags).every(isValidName),
    (issue) =>
      `invalid tag key ${quote(Object.keys(issue.input).find((k) => !isValidName(k)))}: ` +
      "only Unicode letters, digits and - _ . / are allowed",
  ),
);

export const PointSchema = v.object(
  { metric: MetricSchema, timestamp: TimestampSchema, value: ValueSchema, tags: TagsSchema },
  "a datapoint must be an object",
);

export type PointRow = v.InferOutput<typeof PointSchema>;

/** Validates one row: the typed point, or the first rule it breaks. */
export function validatePoint(row: unknown): { point: PointRow } | { error: string } {
  const result = v.safeParse(PointSchema, row, { abortEarly: true });
  if (result.success) return { point: result.output };
  const issue = result.issues[0];
  const field = issue.path?.[0]?.key;
  // valibot reports a missing key with the schema's type message; name the field instead.
  if (issue.kind === "schema" && issue.input === undefined && typeof field === "string") {
    return { error: `missing ${field}` };
  }
  return { error: issue.message };
}

function isObject(input: unknown): input is Record<string, unknown> {
  return typeof input === "object" && input !== null;
}

function quote(text: unknown): string {
  return JSON.stringify(String(text).slice(0, 200));
}
