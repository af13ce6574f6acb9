import type { WirePoint } from "./wire";
import { ApptuitError } from "./errors/apptuit-error";
import { ApptuitSendError, type SendErrorDetail } from "./errors/send-error";

/** At most this many of the server's reasons are kept per call (a 400 may list 100,000 rows). */
export const MAX_REASONS = 1_000;

/**
 * What one send did, point for point: `stored + rejected + undelivered.length` is the
 * number of points given. A value, not an exception, so that every sender (the client,
 * the relay sender, the page channels) reports the same books to the reporter; callers
 * of `send()` get an exception built from it (`outcomeError`). See docs/delivery.md.
 */
export interface SendOutcome {
  /** Points the server stored. */
  stored: number;
  /** Points refused for good (400 rows, a point too large alone): never resend them. */
  rejected: number;
  /** Up to `MAX_REASONS` reasons for the rejected points, as the server gave them. */
  reasons: SendErrorDetail[];
  /** HTTP status of the rejections (400, or 413 for a point too large alone). */
  rejectedStatus: number | undefined;
  /** Points neither stored nor rejected: the call stopped at `failure` before they were answered. */
  undelivered: WirePoint[];
  /** Why the call stopped, if it did. `retryable`: sending `undelivered` again may succeed. */
  failure: { error: unknown; retryable: boolean } | undefined;
  /** HTTP requests that got a final answer. */
  requests: number;
}

export function emptyOutcome(): SendOutcome {
  return { stored: 0, rejected: 0, reasons: [], rejectedStatus: undefined, undelivered: [], failure: undefined, requests: 0 };
}

/** Keeps `rows` as reasons, up to `MAX_REASONS` in all (a loop, not `push(...rows)`: no stack limit). */
export function addReasons(outcome: SendOutcome, rows: readonly SendErrorDetail[]): void {
  for (let i = 0; i < rows.length && outcome.reasons.length < MAX_REASONS; i++) outcome.reasons.push(rows[i]!);
}

/**
 * The exception a caller of `send()` gets, built once from the outcome: the error that
 * stopped the call (its `undelivered` = the outcome's), else an `ApptuitSendError` for
 * rejections, else undefined (everything stored).
 */
export function outcomeError(outcome: SendOutcome): ApptuitError | undefined {
  if (outcome.failure !== undefined) {
    const error = asApptuitError(outcome.failure.error);
    error.undelivered = [...outcome.undelivered];
    return error;
  }
  if (outcome.rejected === 0) return undefined;
  const status = outcome.rejectedStatus ?? 400;
  const shown = outcome.reasons
    .slice(0, 3)
    .map((e) => e.error)
    .join("; ");
  return new ApptuitSendError(
    `The server rejected ${outcome.rejected} of ${outcome.stored + outcome.rejected} points (${status}): ` +
      `${shown}${outcome.reasons.length > 3 ? "; …" : ""}`,
    { statusCode: status, success: outcome.stored, failed: outcome.rejected, errors: outcome.reasons },
  );
}

/** An error that is not an `ApptuitError` (a bug, a custom fetch), wrapped so it can carry `undelivered`. */
export function asApptuitError(error: unknown): ApptuitError {
  return error instanceof ApptuitError ? error : new ApptuitError(String(error), { cause: error });
}
