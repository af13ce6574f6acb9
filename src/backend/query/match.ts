import type { TagFilter } from "./ast";

/** True when the tags satisfy every filter (each filter: one of its patterns matches). */
export function matchesFilters(tags: Record<string, string>, filters: readonly TagFilter[]): boolean {
  return filters.every((filter) => {
    if (!Object.hasOwn(tags, filter.key)) return false;
    const value = tags[filter.key]!;
    return filter.patterns.some((pattern) => globMatch(pattern, value));
  });
}

/**
 * `*` matches any run of characters; everything else is literal. Matched segment by segment
 * with indexOf (greedy leftmost is correct for `*`-only globs), so it cannot backtrack.
 */
export function globMatch(pattern: string, text: string): boolean {
  const parts = pattern.split("*");
  if (parts.length === 1) return pattern === text;
  const first = parts[0]!;
  const last = parts[parts.length - 1]!;
  if (first.length + last.length > text.length || !text.startsWith(first) || !text.endsWith(last)) return false;
  let at = first.length;
  const stop = text.length - last.length;
  for (let i = 1; i < parts.length - 1; i++) {
    const part = parts[i]!;
    const found = text.indexOf(part, at);
    if (found < 0 || found + part.length > stop) return false;
    at = found + part.length;
  }
  return true;
}
