import { ApptuitError } from "../core/errors/apptuit-error";

/**
 * Passed to the error handler when the retry buffer was full and its oldest points were
 * given up (also counted in `apptuit.reporter.send.dropped`).
 */
export class ApptuitDroppedError extends ApptuitError {
  override name = "ApptuitDroppedError";
  constructor(
    /** Points evicted. */
    readonly dropped: number,
    /** The retry buffer's bounds at the time. */
    readonly limits: { maxPoints: number; maxBytes: number },
  ) {
    super(`dropped ${dropped} point(s): the retry buffer is full (max ${limits.maxPoints} points, ${limits.maxBytes} bytes)`);
  }
}
