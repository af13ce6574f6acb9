/**
 * Valibot schema of an OpenTSDB JSON body as a page may send it to the relay (docs/wire-format.md):
 * rows of `{metric, timestamp, value, tags}`. Stricter than a server needs to be, because
 * the page is untrusted: numbers only (no "NaN" strings), at most 25 tags, bounded strings,
 * and no key that could touch an object's prototype.
 */
import * as v from "valibot";
import { COMPACT_LIMITS } from "./compact-schema";
import { FORBIDDEN_KEYS, MAX_WIRE_MS } from "../core/wire-rules";

const Name = v.pipe(v.string(), v.minLength(1, "must be a non-empty string"), v.maxLength(COMPACT_LIMITS.maxStringLength));

export const PageTagsSchema = v.pipe(
  v.custom<Record<string, unknown>>((x) => typeof x === "object" && x !== null && !Array.isArray(x), "tags must be an object"),
  // record() silently drops __proto__/constructor keys; refuse them instead of hiding them.
  v.check((tags) => !Object.keys(tags).some((k) => FORBIDDEN_KEYS.has(k)), "forbidden tag key (__proto__, constructor or prototype)"),
  v.check((tags) => Object.keys(tags).length <= COMPACT_LIMITS.maxTags, `at most ${COMPACT_LIMITS.maxTags} tags per point`),
  v.record(v.pipe(v.string(), v.minLength(1, "empty tag key"), v.maxLength(COMPACT_LIMITS.maxStringLength)), Name),
);

export const OpenTsdbRowSchema = v.object({
  metric: Name,
  timestamp: v.pipe(v.number("timestamp must be a number"), v.finite(), v.minValue(0), v.maxValue(MAX_WIRE_MS)),
  value: v.pipe(v.number("value must be a finite number"), v.finite("value must be a finite number")),
  tags: v.optional(PageTagsSchema, {}),
});

export const OpenTsdbBodySchema = v.array(OpenTsdbRowSchema);

export type OpenTsdbRow = v.InferOutput<typeof OpenTsdbRowSchema>;
