import type { WirePoint } from "../core/wire";
import { emptyOutcome, type SendOutcome } from "../core/outcome";
import { isRetryableStatus } from "../core/wire-rules";
import type { ReporterSender } from "./options";

/**
 * What a delivery became, as a value: from the sender's `deliver` when it has one (the
 * client, the relay sender), else read from what `sendPrepared` threw. A sender that
 * throws from `deliver` (a bug) delivered nothing, as far as anyone can tell.
 */
export async function sendOutcome(sender: ReporterSender, batch: WirePoint[]): Promise<SendOutcome> {
  try {
    if (sender.deliver !== undefined) return await sender.deliver(batch);
    await sender.sendPrepared(batch);
    const outcome = emptyOutcome();
    outcome.stored = batch.length;
    outcome.requests = 1;
    return outcome;
  } catch (error) {
    return outcomeOfError(batch, error);
  }
}

/**
 * Requests a delivery made: those answered (`outcome.requests`) and the one that failed,
 * if it stopped on a failure (a sender stops at its first failing request).
 */
export function requestsMade(outcome: SendOutcome): number {
  return outcome.requests + (outcome.failure === undefined ? 0 : 1);
}

/**
 * How the reporter reads an error thrown by a sender without `deliver`. Errors are
 * recognised by `name` and fields rather than `instanceof`, so that a custom sender or a
 * second bundled copy of the SDK is understood too:
 * - `ApptuitSendError`: `failed` points rejected for good, its `undelivered` worth retrying,
 *   the others stored;
 * - 401/403, other 4xx but 408/429, a validation error: sending again cannot succeed;
 * - anything else (5xx, 408, 429, network, timeout): retry later. Without `undelivered`
 *   (or with an empty one) nothing is assumed stored.
 */
export function outcomeOfError(batch: WirePoint[], error: unknown): SendOutcome {
  const e = (typeof error === "object" && error !== null ? error : {}) as Record<string, unknown>;
  const statusCode = typeof e.statusCode === "number" ? e.statusCode : undefined;
  const given = Array.isArray(e.undelivered) ? (e.undelivered as WirePoint[]) : undefined;
  const outcome = emptyOutcome();
  if (e.name === "ApptuitSendError") {
    const errors = Array.isArray(e.errors) ? (e.errors as SendOutcome["reasons"]) : [];
    outcome.undelivered = (given ?? []).slice(0, batch.length);
    outcome.rejected = Math.min(
      batch.length - outcome.undelivered.length,
      Math.max(0, typeof e.failed === "number" ? e.failed : errors.length),
    );
    outcome.stored = batch.length - outcome.undelivered.length - outcome.rejected;
    outcome.reasons = errors;
    outcome.rejectedStatus = statusCode ?? 400;
    if (outcome.undelivered.length > 0) outcome.failure = { error, retryable: true };
    return outcome;
  }
  // An empty `undelivered` on any other error is no news (every ApptuitError has one): the
  // error says the call failed, so nothing is taken as stored that it does not name.
  outcome.undelivered = (given !== undefined && given.length > 0 ? given : batch).slice(0, batch.length);
  outcome.stored = batch.length - outcome.undelivered.length;
  const permanent = !isRetryableStatus(statusCode) || e.name === "ApptuitAuthError" || e.name === "ApptuitValidationError";
  outcome.failure = { error, retryable: !permanent };
  return outcome;
}

/** What an outcome of `count` points says of them, clamped so that the parts add up to `count`. */
export interface OutcomeShares {
  stored: number;
  rejected: number;
  /** Points the outcome does not account for: never counted as delivered. */
  unaccounted: number;
  /** At most `count` points, to send again or give up as `retryable` says. */
  undelivered: WirePoint[];
  /** False when sending `undelivered` again cannot succeed (e.g. a refused token). */
  retryable: boolean;
}

/**
 * The one reading of a sender's outcome, shared by the general reporter's ledger and a
 * direct-mode page: a sender cannot store or reject more points than it was given.
 */
export function outcomeShares(outcome: SendOutcome, count: number): OutcomeShares {
  const undelivered = outcome.undelivered.length <= count ? outcome.undelivered : outcome.undelivered.slice(0, count);
  const rejected = clamp(outcome.rejected, count - undelivered.length);
  const stored = clamp(outcome.stored, count - undelivered.length - rejected);
  return {
    stored,
    rejected,
    unaccounted: count - undelivered.length - rejected - stored,
    undelivered,
    retryable: outcome.failure?.retryable !== false,
  };
}

function clamp(n: number, hi: number): number {
  return Math.max(0, Math.min(hi, n));
}
