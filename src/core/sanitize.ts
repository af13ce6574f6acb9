import type { SanitizeMode, Tags } from "./types";
import { setTag, tagEntries } from "./tags";
import { MAX_NAME_LENGTH, VALID_NAME } from "./wire-rules";

// Each pattern is a single character class with `+`: linear time, no backtracking.
const PROMETHEUS_INVALID_RUN = /[^A-Za-z0-9]+/g; // a run of invalid chars and/or `_` → one `_`
const APPTUIT_INVALID_RUN = /[^\p{L}\p{N}\-./]+/gu; // same, keeping Unicode letters/digits and - . /
const LEADING_DIGIT = /^[0-9]/;

/**
 * Rewrites a metric name or tag key (docs/wire-format.md).
 * - `prometheus`: outside `[A-Za-z0-9_]` → `_`, runs of `_` collapse, a leading digit gets a `_` prefix.
 * - `apptuit`: outside Unicode letters/digits and `-_./` → `_`, runs of `_` collapse.
 * - `false`: unchanged (invalid names are refused by validation).
 */
export function sanitizeName(name: string, mode: SanitizeMode): string {
  if (mode === "prometheus") {
    const out = name.replace(PROMETHEUS_INVALID_RUN, "_");
    return LEADING_DIGIT.test(out) ? `_${out}` : out;
  }
  if (mode === "apptuit") return name.replace(APPTUIT_INVALID_RUN, "_");
  return name;
}

const CACHE_LIMIT = 10_000;

/**
 * A `sanitizeName` bound to a mode, memoised: reporters send the same few names every
 * interval. The cache is cleared when it grows past a bound so it cannot leak.
 */
export function createSanitizer(mode: SanitizeMode): (name: string) => string {
  if (mode === false) return (name) => name;
  const cache = new Map<string, string>();
  return (name) => {
    let out = cache.get(name);
    if (out === undefined) {
      if (cache.size >= CACHE_LIMIT) cache.clear();
      out = sanitizeName(name, mode);
      cache.set(name, out);
    }
    return out;
  };
}

const CHECKED_LIMIT = 50_000;
let checked: WeakMap<(name: string) => string, Map<string, string | null>> | undefined; // created on first use: no work at import

/**
 * `sanitize` followed by the `VALID_NAME` test, memoised per sanitizer (across calls, as
 * reporters send the same names every interval): the sanitized name, or `null` when it is
 * not a valid name. The cache is cleared when it grows past a bound so it cannot leak.
 * `sanitize` must be pure (a `createSanitizer` function is).
 */
export function checkedSanitizer(sanitize: (name: string) => string): (name: string) => string | null {
  checked ??= new WeakMap();
  let cache = checked.get(sanitize);
  if (cache === undefined) checked.set(sanitize, (cache = new Map()));
  const names = cache;
  return (name) => {
    let out = names.get(name);
    if (out === undefined) {
      if (names.size >= CHECKED_LIMIT) names.clear();
      const sanitized = sanitize(name);
      out = sanitized.length <= MAX_NAME_LENGTH && VALID_NAME.test(sanitized) ? sanitized : null;
      names.set(name, out);
    }
    return out;
  };
}

/** Sanitizes tag keys; values are left alone. Keys colliding after rewriting: the later one wins. */
export function sanitizeTagKeys(tags: Tags | undefined, sanitize: (name: string) => string): Tags {
  const out: Tags = {};
  for (const [key, value] of tagEntries(tags)) setTag(out, sanitize(key), value);
  return out;
}
