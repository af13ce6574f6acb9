import type { SeriesDelta } from "./series-delta";
import type { Tags } from "./types";
import { MS_MIN } from "./wire-rules";

/** One row of the OpenTSDB JSON body of `/api/put` (docs/wire-format.md). */
export interface WirePoint {
  metric: string;
  /** Unix epoch seconds, or milliseconds (13 digits) when the point had a fractional second. */
  timestamp: number;
  value: number;
  tags: Tags;
  /** Only on the way to an aggregating relay: the series' kind and mergeable delta. */
  delta?: SeriesDelta;
}

/**
 * Seconds → wire timestamp. Integer seconds stay seconds; fractional seconds are sent as
 * integer milliseconds, which servers recognise by size. (Before 1970-02-19 milliseconds
 * would be misread as seconds, so such fractions are rounded to the second.)
 */
export function toWireTimestamp(seconds: number): number {
  if (Number.isInteger(seconds)) return seconds;
  const ms = Math.round(seconds * 1000);
  if (ms % 1000 === 0) return ms / 1000;
  return ms < MS_MIN ? Math.round(seconds) : ms;
}

/** Wire timestamp → seconds (inverse of `toWireTimestamp` for values it produces). */
export function fromWireTimestamp(timestamp: number): number {
  return timestamp >= MS_MIN ? timestamp / 1000 : timestamp;
}
