import { wireToMs } from "../core/wire-rules";

/**
 * Reads a time parameter: Unix seconds (fractions allowed), milliseconds (a number at or
 * above 2^32, OpenTSDB's rule), or an RFC 3339 date (as Prometheus accepts). Returns
 * milliseconds, or undefined when the text is none of those.
 */
export function parseTimeParam(text: string): number | undefined {
  const trimmed = text.trim();
  if (trimmed === "") return undefined;
  if (/^[0-9]+(\.[0-9]+)?$/.test(trimmed)) {
    const n = Number(trimmed);
    return wireToMs(n);
  }
  if (/^[0-9]{4}-[0-9]{2}-[0-9]{2}T/.test(trimmed)) {
    const ms = Date.parse(trimmed);
    return Number.isNaN(ms) ? undefined : ms;
  }
  return undefined;
}
