import { ApptuitError } from "../../core/errors/apptuit-error";

/**
 * A request the relay refuses: `status` is what the page gets, with `{error, path?}` as
 * the JSON body. The message is written for the page, so it never holds server secrets.
 */
export class RelayError extends ApptuitError {
  override name = "RelayError";
  readonly status: number;
  readonly path: string | undefined;
  readonly headers: Record<string, string>;
  /** What the refusal is counted as in `stats().refused` and `apptuit.relay.refused.count` (default: by status). */
  readonly reason: string;

  constructor(
    status: number,
    message: string,
    options?: { path?: string | undefined; headers?: Record<string, string>; cause?: unknown; reason?: string },
  ) {
    super(message, { cause: options?.cause });
    this.status = status;
    this.path = options?.path;
    this.headers = options?.headers ?? {};
    this.reason = options?.reason ?? REASONS[status] ?? `status_${status}`;
  }
}

const REASONS: Record<number, string> = {
  400: "invalid",
  403: "forbidden",
  405: "method",
  413: "too_large",
  415: "unsupported",
  429: "rate_limited",
  503: "busy",
};
