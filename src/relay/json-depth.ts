import { RelayError } from "./errors/relay-error";

/**
 * Refuses a JSON text nested deeper than `max` before it is parsed: one linear scan that
 * skips strings, so a megabyte of `[` costs a millisecond instead of a parser's seconds.
 */
export function checkJsonDepth(text: string, max: number): void {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c)
        i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      if (++depth > max) throw new RelayError(400, `JSON nested deeper than ${max} levels`, { reason: "depth" });
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
}
