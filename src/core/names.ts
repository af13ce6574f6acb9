import type { Tags } from "./types";
import { setTag, sortedKeys } from "./tags";
import { ApptuitValidationError } from "./errors/validation-error";

// Python's json.dumps (ensure_ascii=True) escapes everything outside printable ASCII
// (' '..'~') as \uXXXX; JSON.stringify already did the controls and quotes, DEL and
// non-ASCII UTF-16 units are left.
const NON_ASCII = /[\u007f-\uffff]/g;

function pyString(s: string): string {
  return JSON.stringify(s).replace(NON_ASCII, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

/**
 * A number as json.dumps writes it: Python names the non-finite ones; finite ones are
 * written as JS does (the same digits; Python's float exponent form differs, `1e-07`).
 */
function pyNumber(n: number): string {
  return n === n ? (n === Infinity ? "Infinity" : n === -Infinity ? "-Infinity" : String(n)) : "NaN";
}

/**
 * `json.dumps(value, sort_keys=True)` for what tags may hold from untyped code: strings,
 * numbers, booleans, null, arrays and objects (keys sorted by code point at every level).
 */
function pyJson(value: unknown): string {
  if (typeof value === "string") return pyString(value);
  if (typeof value === "number") return pyNumber(value);
  if (typeof value === "boolean") return value ? "true" : "false";
  if (typeof value === "bigint") return value.toString();
  if (value === null || typeof value !== "object") return "null";
  if (Array.isArray(value)) return `[${value.map(pyJson).join(", ")}]`;
  const object = value as Record<string, unknown>;
  return `{${sortedKeys(object as Tags)
    .map((k) => `${pyString(k)}: ${pyJson(object[k])}`)
    .join(", ")}}`;
}

/**
 * Encodes a metric name with its tags byte for byte as the Python client's
 * `name + json.dumps(tags, sort_keys=True)`: `node.cpu{"type": "idle"}`.
 * Without tags (or with `{}`) the plain name is returned.
 */
export function encodeMetric(name: string, tags?: Tags): string {
  if (!tags) return name;
  if (sortedKeys(tags).length === 0) return name;
  return name + pyJson(tags);
}

/** Python's str.isspace() for one UTF-16 code unit (it differs from String#trim: \x1c-\x1f and \x85 are space to Python, \ufeff is not). */
function isPySpace(c: number): boolean {
  return (
    (c >= 0x09 && c <= 0x0d) ||
    (c >= 0x1c && c <= 0x20) ||
    c === 0x85 ||
    c === 0xa0 ||
    c === 0x1680 ||
    (c >= 0x2000 && c <= 0x200a) ||
    c === 0x2028 ||
    c === 0x2029 ||
    c === 0x202f ||
    c === 0x205f ||
    c === 0x3000
  );
}

/** `text.strip()` as Python does it (a scan from both ends: linear, unlike a `\s+$` pattern). */
export function pyStrip(text: string): string {
  let start = 0;
  let end = text.length;
  while (start < end && isPySpace(text.charCodeAt(start))) start++;
  while (end > start && isPySpace(text.charCodeAt(end - 1))) end--;
  return start === 0 && end === text.length ? text : text.slice(start, end);
}

type Decoded = { name: string; tags: Tags };
type Refused = { rule: string; path?: string };

/** The one reading of an encoded name behind `decodeMetric` and `tryDecodeMetric`. */
function readEncoded(encoded: string): Decoded | Refused {
  const brace = encoded.indexOf("{");
  if (brace < 0) return { name: pyStrip(encoded), tags: {} };
  let parsed: unknown;
  try {
    parsed = JSON.parse(encoded.slice(brace));
  } catch {
    return { rule: "the part from the first `{` must be a JSON object of tags" };
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed))
    return { rule: "the part from the first `{` must be a JSON object of tags" };
  const tags: Tags = {};
  // Tag values: strings; numbers/booleans (Python allowed them) become strings. Plain code
  // rather than a schema: the registry reads names on pages too.
  for (const [key, value] of Object.entries(parsed)) {
    if (typeof value !== "string" && typeof value !== "number" && typeof value !== "boolean")
      return { rule: `tag "${key}" must have a string value`, path: key };
    setTag(tags, key, String(value));
  }
  return { name: pyStrip(encoded.slice(0, brace)), tags };
}

/**
 * Decodes `name{json}` into `{ name, tags }` as the Python client's `decode_metric` (which
 * returned a tuple; an object reads better in TS). The name is the text before the first
 * `{`, stripped of surrounding whitespace as Python's `str.strip()` does (so is a name
 * without tags); the rest is parsed as JSON, so compact and spaced forms both work.
 * `JSON.parse` creates `__proto__`/`constructor` as plain own properties, and the tags are
 * copied with `setTag`, so nothing reaches a prototype. A tag part that is not a JSON
 * object of string (or number, boolean) values throws `ApptuitValidationError`.
 */
export function decodeMetric(encoded: string): Decoded {
  const read = readEncoded(encoded);
  if ("name" in read) return read;
  throw new ApptuitValidationError(`Cannot decode metric name ${JSON.stringify(encoded)}: ${read.rule}`, {
    index: -1,
    point: encoded,
    rule: read.rule,
    ...(read.path === undefined ? {} : { path: read.path }),
  });
}

/**
 * `decodeMetric` for names that may merely contain a brace (a route template such as
 * `http./users/{id}`): the decoded name and tags, or `undefined` when the part from the
 * first `{` is not a JSON object of tags (the text is then a plain name).
 */
export function tryDecodeMetric(encoded: string): Decoded | undefined {
  const read = readEncoded(encoded);
  return "name" in read ? read : undefined;
}
