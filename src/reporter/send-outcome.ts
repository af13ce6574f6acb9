import type { WirePoint } from "../core/wire";

/**
 * How the reporter reads an error thrown by a sender. Errors are recognised by `name`
 * and fields rather than `instanceof`, so that a custom sender (e.g. a browser beacon
 * sender) or a second bundled copy of the SDK is understood too.
 */
export type SendFailure =
  /** 400 with details: `failed` points rejected for good, the others stored (ApptuitSendError). */
  | { kind: "rejected"; error: unknown; statusCode: number | undefined; success: number; failed: number; errors: unknown[]; undelivered: WirePoint[] }
  /**
   * Sending the same points again cannot succeed: 401/403 (ApptuitAuthError), any other
   * 4xx but 408/429 (a 400 without details, a 413 for one point), or a validation error.
   */
  | { kind: "refused"; error: unknown; statusCode: number | undefined; undelivered: WirePoint[] | undefined }
  /**
   * 5xx, 408, 429, network, timeout, the unsent part of a 413 split — or an error that
   * is not the client's (no `undelivered`: then nothing is assumed stored). Retry later.
   */
  | { kind: "retryable"; error: unknown; statusCode: number | undefined; undelivered: WirePoint[] | undefined };

export function classifySendError(error: unknown): SendFailure {
  const e = (typeof error === "object" && error !== null ? error : {}) as Record<string, unknown>;
  const statusCode = typeof e.statusCode === "number" ? e.statusCode : undefined;
  const undelivered = Array.isArray(e.undelivered) ? (e.undelivered as WirePoint[]) : undefined;
  if (e.name === "ApptuitSendError") {
    const errors = Array.isArray(e.errors) ? e.errors : [];
    return {
      kind: "rejected",
      error,
      statusCode,
      success: typeof e.success === "number" ? e.success : 0,
      failed: typeof e.failed === "number" ? e.failed : errors.length,
      errors,
      undelivered: undelivered ?? [],
    };
  }
  const permanent = statusCode !== undefined && statusCode >= 400 && statusCode < 500 && statusCode !== 408 && statusCode !== 429;
  if (permanent || e.name === "ApptuitAuthError" || e.name === "ApptuitValidationError") {
    return { kind: "refused", error, statusCode, undelivered };
  }
  return { kind: "retryable", error, statusCode, undelivered };
}
