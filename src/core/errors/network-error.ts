import { ApptuitError } from "./apptuit-error";

/** No HTTP answer after all retries: connection failure, DNS, or per-attempt timeout. */
export class ApptuitNetworkError extends ApptuitError {
  override name = "ApptuitNetworkError";
  /** True when the last attempt hit the `timeout` option. */
  readonly timedOut: boolean;

  constructor(message: string, options: { cause?: unknown; timedOut?: boolean } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.timedOut = options.timedOut ?? false;
  }
}
