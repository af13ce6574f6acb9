import { ApptuitValidationError } from "../core/errors/validation-error";
import { MAX_NAME_LENGTH, MAX_TAGS } from "../core/wire-rules";
import { pyStrip, tryDecodeMetric } from "../core/names";
import { setTag, sortedKeys } from "../core/tags";
import type { Tags } from "../core/types";
import { normalizeTags } from "./normalize";

/** What an empty tag value (a missing header, an empty route parameter) is recorded as. */
export const EMPTY_TAG_VALUE = "(empty)";

/** Ends a name, tag key or tag value cut to `MAX_NAME_LENGTH`. */
export const TRUNCATION_MARK = "…";

/** A series as the registry keeps it, and what was repaired to get there. */
export interface SeriesInput {
  name: string;
  tags: Tags;
  /** Sorted tag keys. */
  keys: string[];
  /** Each repair made, in words; `undefined` when the input was used as given. */
  repairs: string[] | undefined;
}

/** The error of a series that cannot be used (or, in strict mode, needed a repair). */
export function invalidSeries(name: unknown, tags: unknown, rule: string): ApptuitValidationError {
  const shown = typeof name === "string" ? JSON.stringify(name.length > 60 ? `${name.slice(0, 60)}…` : name) : `(a ${typeof name})`;
  return new ApptuitValidationError(`Invalid series ${shown}: ${rule}`, { index: -1, point: { name, tags }, rule });
}

/** `text` cut to `MAX_NAME_LENGTH` UTF-16 units, the last one the mark, never half a surrogate pair. */
export function truncate(text: string): string {
  let end = MAX_NAME_LENGTH - TRUNCATION_MARK.length;
  const last = text.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end--;
  return text.slice(0, end) + TRUNCATION_MARK;
}

/**
 * Reads what a lookup was given (docs/recording.md) into a series the write API accepts:
 * the name decoded when the part from its first `{` is a JSON object of tags (else the
 * whole text is the name, a route template such as `http./users/{id}`), stripped as
 * apptuit-py strips it; the tags normalized and merged over the decoded ones.
 *
 * Repairs: a number, bigint or boolean name becomes its string; an empty tag value becomes
 * `EMPTY_TAG_VALUE`; a name, key or value over `MAX_NAME_LENGTH` is truncated with
 * `TRUNCATION_MARK`. With `strict` each repair throws instead. What cannot be repaired
 * throws `ApptuitValidationError` in both modes: a missing or empty name, tags that are not
 * an object, an empty tag key, more than `MAX_TAGS` tags. Getters of the caller's tags
 * run here, so what they throw propagates too.
 */
export function readSeries(rawName: unknown, rawTags: unknown, strict: boolean): SeriesInput {
  let repairs: string[] | undefined;
  const refuse = (rule: string): never => {
    throw invalidSeries(rawName, rawTags, rule);
  };
  const repair = (rule: string, fix: string): void => {
    if (strict) refuse(rule);
    (repairs ??= []).push(`${rule}: ${fix}`);
  };

  let text: string;
  if (typeof rawName === "string") text = rawName;
  else if (typeof rawName === "number" || typeof rawName === "bigint" || typeof rawName === "boolean") {
    text = String(rawName);
    repair(`the metric name is a ${typeof rawName}`, `used as the string ${JSON.stringify(text)}`);
  } else return refuse("the metric name must be a non-empty string");

  const decoded = text.includes("{") ? tryDecodeMetric(text) : undefined;
  let name = decoded === undefined ? pyStrip(text) : decoded.name;
  if (name === "") refuse("the metric name must be a non-empty string");
  if (name.length > MAX_NAME_LENGTH) {
    repair(`the metric name is ${name.length} characters long (at most ${MAX_NAME_LENGTH})`, "truncated");
    name = truncate(name);
  }

  if (rawTags != null && (typeof rawTags !== "object" || Array.isArray(rawTags))) {
    refuse("tags must be an object of tag keys to string values");
  }
  const given = normalizeTags(rawTags as Tags | undefined, decoded?.tags);
  const keys = sortedKeys(given);
  if (keys.length > MAX_TAGS) refuse(`at most ${MAX_TAGS} tags per series; this one has ${keys.length}`);
  let changed = false;
  const tags: Tags = {};
  for (const key of keys) {
    if (key === "") refuse("a tag key is empty");
    let k = key;
    let value = given[key]!;
    if (k.length > MAX_NAME_LENGTH) {
      repair(`tag key ${JSON.stringify(k.slice(0, 40))}… is ${k.length} characters long (at most ${MAX_NAME_LENGTH})`, "truncated");
      k = truncate(k);
      changed = true;
    }
    if (value === "") {
      repair(`tag ${JSON.stringify(k.slice(0, 40))} has an empty value`, `recorded as ${JSON.stringify(EMPTY_TAG_VALUE)}`);
      value = EMPTY_TAG_VALUE;
    } else if (value.length > MAX_NAME_LENGTH) {
      repair(`tag ${JSON.stringify(k.slice(0, 40))} has a value ${value.length} characters long (at most ${MAX_NAME_LENGTH})`, "truncated");
      value = truncate(value);
    }
    setTag(tags, k, value);
  }
  return { name, tags, keys: changed ? sortedKeys(tags) : keys, repairs };
}
