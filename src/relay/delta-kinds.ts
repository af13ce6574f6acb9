import type { DataPoint } from "../core/types";
import type { DeltaKind, DistributionDelta } from "../core/series-delta";
import type { WirePoint } from "../core/wire";
import { CompactFormatError } from "./errors/compact-format-error";

/** A series' kind in compact format v2: its index here (docs/compact-format.md). */
export const DELTA_KINDS: readonly DeltaKind[] = ["sum", "mean", "meter", "histogram", "timer"];

/**
 * Kind code of a point. A point without a kind (a reporter's own meta point) is added up
 * when its name says it is a count or a sum, and averaged otherwise (avg, min, max).
 */
export function kindCode(point: WirePoint | DataPoint): number {
  const kind = point.delta?.kind ?? (/[._](count|sum|total)$/.test(point.metric) ? "sum" : "mean");
  return DELTA_KINDS.indexOf(kind);
}

/** The checks every encoder makes on a distribution before sending it. */
export function checkDistribution(d: DistributionDelta, count: number): void {
  const numbers = [count, d.sum, d.sumsq, d.min, d.max, d.zero];
  if (!numbers.every(Number.isFinite) || !d.pos.every(Number.isFinite) || !d.neg.every(Number.isFinite)) {
    throw new CompactFormatError("a distribution's count, moments and buckets must be finite numbers");
  }
}
