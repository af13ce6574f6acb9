import { cutBody } from "../core/body-cutter";
import type { DataPoint } from "../core/types";
import { encodeCompact } from "./compact-format";
import { CompactWriter } from "./compact-writer";
import { CompactFormatError } from "./errors/compact-format-error";
import { utf8Length } from "./utf8-length";
import type { WirePoint } from "../core/wire";

/**
 * Encodes points as compact payloads of at most `maxBytes` bytes of UTF-8 each (a beacon's
 * quota counts bytes, not UTF-16 code units). Points keep their input order across the
 * payloads; each payload holds as many points as fit (cut in one pass by `cutBody` with a
 * `CompactWriter`, which knows its exact size after every point). Throws `CompactFormatError` when a single
 * point does not fit on its own.
 */
export function splitCompact(points: ReadonlyArray<WirePoint | DataPoint>, maxBytes: number): string[] {
  if (!Number.isInteger(maxBytes) || maxBytes <= 0) throw new RangeError("maxBytes must be a positive integer");
  const out: string[] = [];
  let start = 0;
  while (start < points.length) {
    const writer = new CompactWriter(start);
    const end = cutBody(points, start, points.length, maxBytes, writer);
    if (end === start) {
      throw new CompactFormatError(`point ${start} alone does not fit in ${maxBytes} bytes`, `[${start}]`, { tooLarge: true });
    }
    // encodeCompact's layout (most used strings first) is as small or smaller; keep it when it fits.
    const sorted = encodeCompact(points.slice(start, end));
    out.push(utf8Length(sorted) <= maxBytes ? sorted : writer.finish());
    start = end;
  }
  return out;
}
