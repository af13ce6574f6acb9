import { ApptuitError } from "./apptuit-error";

export interface ValidationErrorDetails {
  /** Index of the offending point in the array passed in; -1 when the input is not a point (call tags, query times). */
  index: number;
  /** The offending input as given. */
  point: unknown;
  /** Human-readable rule that was broken, e.g. "value must be a finite number …". */
  rule: string;
  /** Where in the point the problem is (valibot dot path, e.g. `tags.host`), if known. */
  path?: string;
  /** For `sendTimeseries`: index of the series; `index` is then the point within it. */
  seriesIndex?: number;
}

/** Input refused before any request was made. The message names the point and the rule. */
export class ApptuitValidationError extends ApptuitError {
  override name = "ApptuitValidationError";
  readonly index: number;
  readonly point: unknown;
  readonly rule: string;
  readonly path: string | undefined;
  readonly seriesIndex: number | undefined;

  constructor(message: string, details: ValidationErrorDetails) {
    super(message);
    this.index = details.index;
    this.point = details.point;
    this.rule = details.rule;
    this.path = details.path;
    this.seriesIndex = details.seriesIndex;
  }
}
