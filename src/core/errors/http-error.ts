import { ApptuitError } from "./apptuit-error";

export interface HttpErrorDetails {
  statusCode: number;
  /** Seconds the server asked to wait (`Retry-After`, seconds or HTTP date), if it said. */
  retryAfter?: number;
  /** Prometheus-style error body fields (`{"status":"error","errorType","error"}`), if present. */
  errorType?: string;
  error?: string;
  cause?: unknown;
}

/** A non-2xx answer that retries did not fix (or that is not retried, like 400 without details). */
export class ApptuitHttpError extends ApptuitError {
  override name = "ApptuitHttpError";
  readonly statusCode: number;
  readonly retryAfter: number | undefined;
  readonly errorType: string | undefined;
  readonly error: string | undefined;

  constructor(message: string, details: HttpErrorDetails) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.statusCode = details.statusCode;
    this.retryAfter = details.retryAfter;
    this.errorType = details.errorType;
    this.error = details.error;
  }
}
