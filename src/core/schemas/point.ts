import * as v from "valibot";
import { tagsSchema } from "./tags";
import { MAX_INPUT_SECONDS, MAX_NAME_LENGTH, MAX_TAGS, VALID_NAME } from "../wire-rules";

// Rules as `v.check` (one valibot action) rather than `minValue`, `maxLength`, `regex`, …:
// the same tests and messages, with less of valibot in every bundle (docs/browser-page-size.md).
const shortEnough = (text: string) => text.length <= MAX_NAME_LENGTH;

const FINITE_TIMESTAMP_RULE = "timestamp must be a finite number of seconds (NaN, ±Infinity and invalid Dates are refused)";
const NUMBER_RULE = "value must be a finite number (NaN and ±Infinity cannot be encoded in JSON)";

/** A timestamp as given (seconds or a Date) → Unix epoch seconds, refusing NaN, negatives and milliseconds. */
export const TimestampSchema = v.pipe(
  v.custom<number | Date>((x) => typeof x === "number" || x instanceof Date, "timestamp must be a number of Unix epoch seconds or a Date"),
  v.transform((x) => (x instanceof Date ? x.getTime() / 1000 : x)),
  v.check((n: number) => Number.isFinite(n), FINITE_TIMESTAMP_RULE),
  v.check((n) => n >= 0, "timestamp must not be negative"),
  v.check(
    (n) => n <= MAX_INPUT_SECONDS,
    (issue) => `timestamp ${String(issue.input)} looks like milliseconds: pass Unix epoch seconds (milliseconds / 1000) or a Date`,
  ),
);

export const InputTagsSchema = tagsSchema({
  nonEmpty: true,
  maxLength: MAX_NAME_LENGTH,
  message: "tags must be an object of tag keys to string values",
});

/** A `DataPoint` as the caller gives it; the output has its timestamp in seconds. */
export const DataPointSchema = v.object(
  {
    metric: v.pipe(
      v.string("metric must be a string"),
      v.check((name) => name !== "", "metric must not be empty"),
      v.check(shortEnough, (issue) => tooLong("metric name", issue.input)),
    ),
    tags: v.optional(InputTagsSchema),
    timestamp: TimestampSchema,
    value: v.pipe(
      v.number(NUMBER_RULE),
      v.check((n: number) => Number.isFinite(n), NUMBER_RULE),
    ),
  },
  "a datapoint must be an object {metric, tags, timestamp, value}",
);

/** The message for a name or tag longer than `MAX_NAME_LENGTH`: its length and start, not all of it. */
export function tooLong(what: string, input: string): string {
  return `${what} is ${input.length} characters long (at most ${MAX_NAME_LENGTH}): ${JSON.stringify(input.slice(0, 40))}…`;
}

/** Why a metric name or tag key was refused: the one wording of the name rule's message. */
const NAME_RULE = "may only contain Unicode letters, digits, -, _, . and / (use the sanitize option to rewrite names)";
const badName = (what: string, name: string) => `${what} ${JSON.stringify(name)} ${NAME_RULE}`;

/** Rules checked after tags are merged and names sanitized: charset and tag count. */
export const PreparedPointSchema = v.object({
  metric: v.pipe(
    v.string(),
    v.check((name) => name !== "", "metric must not be empty after sanitizing"),
    v.check(shortEnough, (issue) => tooLong("metric name", issue.input)),
    v.check(
      (name) => VALID_NAME.test(name),
      (issue) => badName("metric name", issue.input),
    ),
  ),
  tags: v.pipe(
    v.custom<Record<string, string>>((x) => typeof x === "object" && x !== null),
    v.rawCheck(({ dataset, addIssue }) => {
      if (!dataset.typed) return;
      for (const key of Object.keys(dataset.value)) {
        if (key.length > MAX_NAME_LENGTH) {
          addIssue({
            message: tooLong("tag key", key),
            path: [{ type: "object", origin: "key", input: dataset.value, key, value: dataset.value[key] }],
          });
          return;
        }
        if (!VALID_NAME.test(key)) {
          addIssue({
            message: badName("tag key", key),
            path: [{ type: "object", origin: "key", input: dataset.value, key, value: dataset.value[key] }],
          });
          return;
        }
      }
    }),
    v.check(
      (tags) => Object.keys(tags).length >= 1,
      "a datapoint needs at least one tag (OpenTSDB rule): give the point tags, or set globalTags / APPTUIT_TAGS",
    ),
    v.check(
      (tags) => Object.keys(tags).length <= MAX_TAGS,
      (issue) => `at most ${MAX_TAGS} tags per point after merging; this one has ${Object.keys(issue.input).length}`,
    ),
  ),
});

export type ParsedDataPoint = v.InferOutput<typeof DataPointSchema>;
