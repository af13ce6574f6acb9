import type { WirePoint } from "../../core/wire";
import { pageBody } from "./page-writer";
import { utf8Length } from "./quota";

/**
 * Builds one request body point by point, knowing its exact UTF-8 size, so that cutting
 * points into bodies that fit a byte budget takes one pass.
 */
export interface BodyWriter {
  /** Points in the body. */
  readonly count: number;
  /** Exact UTF-8 bytes of `finish()`. */
  readonly bytes: number;
  /** Adds the point if the body stays within `maxBytes`; false (nothing changed) otherwise. */
  tryAdd(point: WirePoint, maxBytes: number): boolean;
  finish(): string;
}

/** Relay mode: the compact format, version 2 (kinds and deltas, for an aggregating relay). */
export const compactBody = pageBody;

/** Direct mode: OpenTSDB JSON rows (`/api/put`), whose bytes simply add up. */
export function jsonBody(): BodyWriter {
  const rows: string[] = [];
  let bytes = 2; // "[" "]"
  return {
    get count() {
      return rows.length;
    },
    get bytes() {
      return bytes;
    },
    tryAdd(point, maxBytes) {
      const row = JSON.stringify(point);
      const size = utf8Length(row) + (rows.length > 0 ? 1 : 0);
      if (bytes + size > maxBytes) return false;
      rows.push(row);
      bytes += size;
      return true;
    },
    finish: () => `[${rows.join(",")}]`,
  };
}

/**
 * The next body from `points[offset…]`: as many points as fit in `maxBytes` (at most
 * `maxPoints`). Undefined when not even the first one fits.
 */
export function fillBody(
  points: readonly WirePoint[],
  offset: number,
  maxPoints: number,
  maxBytes: number,
  writer: BodyWriter,
): { body: string; bytes: number; count: number } | undefined {
  const end = Math.min(points.length, offset + maxPoints);
  for (let i = offset; i < end && writer.tryAdd(points[i]!, maxBytes); i++);
  if (writer.count === 0) return undefined;
  return { body: writer.finish(), bytes: writer.bytes, count: writer.count };
}
