import type { Tags } from "./types";

/**
 * Sets `key` as an own, enumerable property even when it is `__proto__`, which a plain
 * assignment would treat as the prototype setter (silently dropping a string value).
 */
export function setTag(target: Tags, key: string, value: string): void {
  if (key === "__proto__") {
    Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  } else {
    target[key] = value;
  }
}

/** Own enumerable string-keyed entries, including a `__proto__` own property. */
export function tagEntries(tags: Tags | undefined): [string, string][] {
  return tags ? (Object.entries(tags) as [string, string][]) : [];
}

/**
 * Merges tag layers; later layers win on the same key. Callers pass them lowest precedence
 * first: `mergeTags(globalOrEnvTags, reporterOrCallTags, pointTags)` (docs/wire-format.md).
 */
export function mergeTags(...layers: ReadonlyArray<Tags | undefined>): Tags {
  const out: Tags = {};
  for (const layer of layers) {
    for (const [key, value] of tagEntries(layer)) setTag(out, key, value);
  }
  return out;
}

/** Compares strings by Unicode code point, as Python's `sorted()` does (JS `sort()` uses UTF-16 units). */
export function compareCodePoints(a: string, b: string): number {
  const ia = a[Symbol.iterator]();
  const ib = b[Symbol.iterator]();
  for (;;) {
    const x = ia.next();
    const y = ib.next();
    if (x.done) return y.done ? 0 : -1;
    if (y.done) return 1;
    const d = x.value.codePointAt(0)! - y.value.codePointAt(0)!;
    if (d !== 0) return d;
  }
}

/** Tag keys sorted by code point (fast path: plain comparison is identical without astral characters). */
export function sortedKeys(tags: Tags): string[] {
  return Object.keys(tags).sort(compareCodePoints);
}
