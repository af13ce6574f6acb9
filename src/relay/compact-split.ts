import type { DataPoint } from "../core/types";
import { encodeCompact } from "./compact-format";
import { CompactFormatError } from "./errors/compact-format-error";
import type { WirePoint } from "../core/wire";

/**
 * Encodes points as compact payloads of at most `maxBytes` bytes of UTF-8 each (a beacon's
 * quota counts bytes, not UTF-16 code units). Points keep their input order across the
 * payloads; each payload is as full as a bounded search finds. Throws `CompactFormatError`
 * when a single point does not fit on its own.
 */
export function splitCompact(points: ReadonlyArray<WirePoint | DataPoint>, maxBytes: number): string[] {
  if (!Number.isInteger(maxBytes) || maxBytes <= 0) throw new RangeError("maxBytes must be a positive integer");
  const encoder = new TextEncoder();
  const bytes = (text: string) => encoder.encode(text).byteLength;
  const out: string[] = [];
  let start = 0;
  let previous = 0; // points in the last payload: the first guess for the next one
  while (start < points.length) {
    const rest = points.length - start;
    let guess = previous;
    if (previous === 0 || rest <= previous) {
      const whole = encodeCompact(points.slice(start));
      const size = bytes(whole);
      if (size <= maxBytes) {
        out.push(whole);
        break;
      }
      guess = Math.floor((rest * maxBytes) / size);
    }
    // Largest count that fits: `lo` fits (0 = nothing yet), `hi` does not. A few guesses
    // scaled by the measured size get close; bisection finishes.
    let lo = 0;
    let hi = rest;
    let best: string | undefined;
    for (let step = 0; lo + 1 < hi; step++) {
      guess = Math.min(hi - 1, Math.max(lo + 1, guess));
      const text = encodeCompact(points.slice(start, start + guess));
      const size = bytes(text);
      if (size <= maxBytes) {
        lo = guess;
        best = text;
      } else {
        hi = guess;
      }
      const scaled = Math.floor((guess * maxBytes) / size);
      guess = step < 3 && scaled > lo && scaled < hi ? scaled : (lo + hi) >>> 1;
    }
    if (best === undefined) {
      throw new CompactFormatError(`point ${start} alone does not fit in ${maxBytes} bytes`, `[${start}]`, { tooLarge: true });
    }
    out.push(best);
    start += lo;
    previous = lo;
  }
  return out;
}
