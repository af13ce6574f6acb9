import { ApptuitError } from "../../core/errors/apptuit-error";
import type { Tags } from "../../core/types";

/**
 * A callback gauge threw, or returned something that is not a finite number, during a
 * collection. Its point is left out of that collection; everything else is collected.
 */
export class GaugeCallbackError extends ApptuitError {
  override name = "GaugeCallbackError";
  readonly metric: string;
  readonly tags: Tags;

  constructor(metric: string, tags: Tags, problem: string, cause?: unknown) {
    super(`callback gauge "${metric}" ${problem}; its value was left out of this collection`, cause === undefined ? undefined : { cause });
    this.metric = metric;
    this.tags = tags;
  }
}
