import { ApptuitError } from "./apptuit-error";

/** The caller's `AbortSignal` fired. `cause` is the signal's reason. Not a network failure, so not retried. */
export class ApptuitAbortError extends ApptuitError {
  override name = "ApptuitAbortError";
}
