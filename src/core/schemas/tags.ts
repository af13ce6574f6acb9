import * as v from "valibot";
import type { Tags } from "../types";
import { setTag } from "../tags";

/** The object test of `tagsSchema` (arrays and Dates are refused). */
export const isObject = (x: unknown): x is Record<string, unknown> =>
  typeof x === "object" && x !== null && !Array.isArray(x) && !(x instanceof Date);

/**
 * A tag set whose values are strings (non-empty when `nonEmpty`). Built with `rawCheck`
 * instead of `v.record`, which silently skips `__proto__`/`constructor`/`prototype` keys;
 * the output is a fresh object filled with `setTag`, so those keys are kept but inert.
 */
export function tagsSchema(options: { nonEmpty: boolean; message: string; maxLength?: number }) {
  const maxLength = options.maxLength ?? Infinity;
  return v.pipe(
    v.custom<Record<string, unknown>>(isObject, options.message),
    v.rawCheck(({ dataset, addIssue }) => {
      if (!dataset.typed) return;
      for (const [key, value] of Object.entries(dataset.value)) {
        if (typeof value !== "string" || (options.nonEmpty && value === "")) {
          addIssue({
            message: options.nonEmpty ? `tag "${key}" must have a non-empty string value` : `tag "${key}" must have a string value`,
            path: [{ type: "object", origin: "value", input: dataset.value, key, value }],
          });
          return;
        }
        if (value.length > maxLength) {
          addIssue({
            message: `tag "${key.slice(0, 40)}" has a value ${value.length} characters long (at most ${maxLength})`,
            path: [{ type: "object", origin: "value", input: dataset.value, key, value }],
          });
          return;
        }
      }
    }),
    v.transform((input): Tags => {
      const out: Tags = {};
      for (const [key, value] of Object.entries(input)) setTag(out, key, value as string);
      return out;
    }),
  );
}

/** Tags as the server returns them in query results (values may be empty strings). */
export const ResponseTagsSchema = tagsSchema({ nonEmpty: false, message: "expected an object of string tags" });
