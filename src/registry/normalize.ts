import { setTag, sortedKeys } from "../core/tags";
import type { Tags } from "../core/types";

/**
 * Copies the caller's tags into a fresh object: own enumerable keys only, `undefined` and
 * `null` values dropped (`{ region: maybeRegion }` is a common idiom), other values turned
 * into strings. `extra` (tags from an encoded name) come first; the caller's win.
 */
export function normalizeTags(tags: Tags | undefined, extra?: Tags): Tags {
  const out: Tags = {};
  for (const layer of [extra, tags]) {
    if (layer == null) continue;
    for (const key of Object.keys(layer)) {
      const value: unknown = layer[key];
      if (value != null) setTag(out, key, String(value));
    }
  }
  return out;
}

/** Injective key of a tag set: JSON of its entries in sorted key order. */
export function canonicalKey(tags: Tags, keys: string[] = sortedKeys(tags)): string {
  return JSON.stringify(keys.map((k) => [k, tags[k]]));
}

/**
 * Whether `key` can be read with `tags[key]` on the lookup path without reaching a
 * prototype (`__proto__`, `constructor`, `toString`, …).
 */
export function isPlainKey(key: string): boolean {
  return !(key in Object.prototype);
}
