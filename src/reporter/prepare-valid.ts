import type { DataPoint, Tags } from "../core/types";
import type { WirePoint } from "../core/wire";
import type { ReporterSender } from "./options";

export interface Prepared {
  /** Wire rows of the valid points, in order. */
  valid: WirePoint[];
  /** One `ApptuitValidationError` per invalid point. */
  errors: unknown[];
  /** Points that could not be prepared. */
  invalid: number;
}

/**
 * Prepares the points a collection produced, setting aside only the invalid ones (a
 * `NaN` from a callback gauge must not cost the whole batch). The client stops at the
 * first bad point and names its `index`, so the run before it is prepared again and the
 * scan resumes after it: every point is prepared at most twice.
 */
export function prepareValid(sender: Pick<ReporterSender, "prepare">, points: readonly DataPoint[], tags: Tags | undefined): Prepared {
  const options = tags === undefined ? {} : { tags };
  const valid: WirePoint[] = [];
  const errors: unknown[] = [];
  let rest = points;
  while (rest.length > 0) {
    try {
      const rows = sender.prepare(rest, options);
      return { valid: valid.length === 0 ? rows : valid.concat(rows), errors, invalid: errors.length };
    } catch (error) {
      const index = (error as { index?: unknown } | null)?.index;
      if (typeof index !== "number" || !Number.isInteger(index) || index < 0 || index >= rest.length) {
        // Not about one point (or not a validation error at all): none of the rest can go.
        errors.push(error);
        return { valid, errors, invalid: errors.length - 1 + rest.length };
      }
      if (index > 0) for (const row of sender.prepare(rest.slice(0, index), options)) valid.push(row);
      errors.push(error);
      rest = rest.slice(index + 1);
    }
  }
  return { valid, errors, invalid: errors.length };
}
