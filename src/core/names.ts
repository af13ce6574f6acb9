import * as v from "valibot";
import type { Tags } from "./types";
import { setTag, sortedKeys } from "./tags";
import { ApptuitValidationError } from "./errors/validation-error";

// Python's json.dumps escapes every non-ASCII UTF-16 unit as \uXXXX (ensure_ascii=True).
const NON_ASCII = /[\u0080-\uffff]/g;

function pyString(s: string): string {
  return JSON.stringify(s).replace(NON_ASCII, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

/**
 * Encodes a metric name with its tags exactly as the Python client's
 * `name + json.dumps(tags, sort_keys=True)`: `node.cpu{"type": "idle"}`.
 * Without tags (or with `{}`) the plain name is returned.
 */
export function encodeMetric(name: string, tags?: Tags): string {
  if (!tags) return name;
  const keys = sortedKeys(tags);
  if (keys.length === 0) return name;
  return `${name}{${keys.map((k) => `${pyString(k)}: ${pyString(tags[k]!)}`).join(", ")}}`;
}

// Tag values of an encoded name: strings; numbers/booleans (Python allowed them) become strings.
const DecodedTagsSchema = v.pipe(
  v.custom<Record<string, unknown>>(
    (x) => typeof x === "object" && x !== null && !Array.isArray(x),
    "the part from the first `{` must be a JSON object of tags",
  ),
  v.rawCheck(({ dataset, addIssue }) => {
    if (!dataset.typed) return;
    for (const [key, value] of Object.entries(dataset.value)) {
      if (typeof value !== "string" && typeof value !== "number" && typeof value !== "boolean") {
        addIssue({
          message: `tag "${key}" must have a string value`,
          path: [{ type: "object", origin: "value", input: dataset.value, key, value }],
        });
      }
    }
  }),
);

/**
 * Decodes `name{json}` into `{ name, tags }` (the Python client returned a tuple; an object
 * reads better in TS). The name is the text before the first `{`; the rest is parsed as JSON,
 * so compact and spaced forms both work. `JSON.parse` creates `__proto__`/`constructor` as
 * plain own properties, and the tags are copied with `setTag`, so nothing reaches a prototype.
 */
export function decodeMetric(encoded: string): { name: string; tags: Tags } {
  const brace = encoded.indexOf("{");
  if (brace < 0) return { name: encoded, tags: {} };
  const name = encoded.slice(0, brace);
  const fail = (rule: string, path?: string): never => {
    throw new ApptuitValidationError(`Cannot decode metric name ${JSON.stringify(encoded)}: ${rule}`, {
      index: -1,
      point: encoded,
      rule,
      ...(path === undefined ? {} : { path }),
    });
  };
  let parsed: unknown;
  try {
    parsed = JSON.parse(encoded.slice(brace));
  } catch {
    return fail("the part from the first `{` must be a JSON object of tags");
  }
  const result = v.safeParse(DecodedTagsSchema, parsed, { abortEarly: true });
  if (!result.success) {
    const issue = result.issues[0];
    return fail(issue.message, v.getDotPath(issue) ?? undefined);
  }
  const tags: Tags = {};
  for (const [key, value] of Object.entries(result.output)) setTag(tags, key, String(value));
  return { name, tags };
}
