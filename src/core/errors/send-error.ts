import { ApptuitError } from "./apptuit-error";
import type { WirePoint } from "../wire";

/** One point the server refused, as reported by `/api/put?details`. */
export interface SendErrorDetail {
  datapoint: unknown;
  error: string;
}

/**
 * The server answered 400 with details: some points were rejected (`errors`), the others
 * stored. Never resend the rejected ones. Counts are summed over every request of the call.
 */
export class ApptuitSendError extends ApptuitError {
  override name = "ApptuitSendError";
  readonly statusCode: number;
  readonly success: number;
  readonly failed: number;
  readonly errors: SendErrorDetail[];

  constructor(
    message: string,
    details: { statusCode: number; success: number; failed: number; errors: SendErrorDetail[]; undelivered?: WirePoint[] },
  ) {
    super(message);
    this.statusCode = details.statusCode;
    this.success = details.success;
    this.failed = details.failed;
    this.errors = details.errors;
    this.undelivered = details.undelivered ?? [];
  }
}
