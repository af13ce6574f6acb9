import type { WirePoint } from "../../core/wire";
import { utf8Length } from "./quota";

export interface Chunk {
  body: string;
  /** UTF-8 bytes of `body`. */
  bytes: number;
  /** How many of the leading points it holds. */
  count: number;
}

/**
 * The longest prefix of `points` whose encoding fits in `maxBytes` of UTF-8 (encodings are
 * not additive: the compact format shares strings between points). A few guesses scaled
 * by the measured size, then bisection. Undefined when not even one point fits.
 */
export function takeFitting(points: readonly WirePoint[], maxBytes: number, encode: (points: WirePoint[]) => string): Chunk | undefined {
  let lo = 0;
  let hi = points.length + 1;
  let best: Chunk | undefined;
  let guess = points.length;
  for (let step = 0; lo + 1 < hi; step++) {
    const body = encode(points.slice(0, guess));
    const bytes = utf8Length(body);
    if (bytes <= maxBytes) {
      lo = guess;
      best = { body, bytes, count: guess };
    } else {
      hi = guess;
    }
    const scaled = Math.floor((guess * maxBytes) / bytes);
    guess = step < 3 && scaled > lo && scaled < hi ? scaled : (lo + hi) >>> 1;
  }
  return best;
}
