import { MAX_INPUT_SECONDS, MAX_NAME_LENGTH } from "../wire-rules";

/**
 * Allocation-free mirrors of parts of `DataPointSchema`, for the fast path of `preparePoints`.
 * They must accept exactly what the schemas accept (a property test checks it); the schemas
 * stay the source of truth and of the error messages, run only on a point refused here.
 */

/**
 * `TimestampSchema` as a test: the timestamp in seconds when the schema would accept it,
 * else -1 (every accepted value is ≥ 0, so -1 cannot be mistaken for one).
 */
export function timestampSeconds(x: unknown): number {
  const seconds = typeof x === "number" ? x : x instanceof Date ? x.getTime() / 1000 : Number.NaN;
  // Comparisons are false for NaN; ±Infinity fail one of the two bounds.
  return seconds >= 0 && seconds <= MAX_INPUT_SECONDS ? seconds : -1;
}

/** The `value` rule of `DataPointSchema`: a finite number. */
export function isFiniteNumber(x: unknown): x is number {
  return Number.isFinite(x);
}

/** The `metric` rule of `DataPointSchema`: a non-empty string of at most `MAX_NAME_LENGTH`. */
export function isMetricName(x: unknown): x is string {
  return typeof x === "string" && x !== "" && x.length <= MAX_NAME_LENGTH;
}
