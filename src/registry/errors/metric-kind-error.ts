import { ApptuitError } from "../../core/errors/apptuit-error";
import type { MetricKind } from "../kind";

/**
 * Thrown when a name already registered as one kind of metric is asked for as another
 * (`registry.counter("x")` then `registry.meter("x")`): their points would collide.
 */
export class MetricKindError extends ApptuitError {
  override name = "MetricKindError";
  /** The metric name, without tags. */
  readonly metric: string;
  readonly existing: MetricKind;
  readonly requested: MetricKind;

  constructor(metric: string, existing: MetricKind, requested: MetricKind) {
    super(`metric "${metric}" is already registered as a ${existing}, cannot use it as a ${requested}`);
    this.metric = metric;
    this.existing = existing;
    this.requested = requested;
  }
}
