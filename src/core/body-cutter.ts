import type { WirePoint } from "./wire";

/** The largest body of one request, in UTF-8 bytes and points. */
export interface BodyLimits {
  maxBodyBytes: number;
  maxPoints: number;
}

/**
 * Builds one request body point by point, knowing its exact UTF-8 size, so that cutting
 * points into bodies that fit a byte budget takes one pass (docs/delivery.md, "Cutting
 * bodies").
 */
export interface BodyWriter<P = WirePoint> {
  /** Points in the body. */
  readonly count: number;
  /** Exact UTF-8 bytes of `finish()`. */
  readonly bytes: number;
  /** Adds the point if the body stays within `maxBytes`; false (nothing changed) otherwise. May throw for a point it cannot carry. */
  tryAdd(point: P, maxBytes: number): boolean;
  finish(): string;
}

/**
 * The one body cutter: adds `points[from…to)` to `writer` in order while they fit in
 * `maxBytes`, and returns the index of the first point it did not use — `to`, or the
 * point that did not fit into a body that already holds some (the body is full).
 *
 * A point that cannot go in any body — it throws in `tryAdd`, or does not fit alone — goes
 * to `refuse` with the reason and is skipped; without `refuse`, the throw propagates and
 * cutting stops before a point too large alone (the writer stays empty: the caller decides).
 * Callers that give the thread back between slices call it slice by slice with one writer.
 */
export function cutBody<P>(
  points: readonly P[],
  from: number,
  to: number,
  maxBytes: number,
  writer: BodyWriter<P>,
  refuse?: (index: number, reason: string) => void,
): number {
  let i = from;
  for (; i < to; i++) {
    let fits: boolean;
    try {
      fits = writer.tryAdd(points[i]!, maxBytes);
    } catch (error) {
      if (refuse === undefined) throw error;
      refuse(i, error instanceof Error ? error.message : String(error));
      continue;
    }
    if (fits) continue;
    if (writer.count > 0 || refuse === undefined) break;
    refuse(i, `the point alone does not fit in ${maxBytes} bytes`);
  }
  return i;
}
