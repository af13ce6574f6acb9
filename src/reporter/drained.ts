import type { WirePoint } from "../core/wire";

/**
 * Points taken out of the reporter by `drain()` for an urgent, synchronous send (a page
 * being hidden). The caller owns them and settles each exactly once through one of the
 * three methods, in any split (e.g. the part a beacon took, then the rest).
 */
export interface DrainedPoints {
  /** Prepared points, oldest first: the retry buffer's, then the ones just collected. */
  readonly points: WirePoint[];
  /** `count` of them were handed over for delivery (a beacon the browser queued, a stored request). */
  delivered(count: number): void;
  /** These could not go now: back into the retry buffer for the next flush (evictions are counted as dropped). */
  retry(points: WirePoint[]): void;
  /** `count` of them were refused for good; `error` goes to the error handler. */
  rejected(count: number, error: unknown): void;
}
