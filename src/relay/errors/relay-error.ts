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

  constructor(status: number, message: string, options?: { path?: string | undefined; headers?: Record<string, string>; cause?: unknown }) {
    super(message, { cause: options?.cause });
    this.status = status;
    this.path = options?.path;
    this.headers = options?.headers ?? {};
  }
}
