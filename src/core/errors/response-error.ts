import { ApptuitError } from "./apptuit-error";

export interface ResponseIssue {
  /** Dot path into the body (valibot issue path), "" for the body itself. */
  path: string;
  message: string;
}

/** The server's body did not have the expected shape. The message names the path of the first problem. */
export class ApptuitResponseError extends ApptuitError {
  override name = "ApptuitResponseError";
  readonly statusCode: number;
  readonly path: string;
  readonly issues: ResponseIssue[];
  /** Set when a Prometheus API answered `{"status":"error"}` with a 2xx status. */
  readonly errorType: string | undefined;
  readonly error: string | undefined;

  constructor(
    message: string,
    details: { statusCode: number; issues: ResponseIssue[]; errorType?: string; error?: string; cause?: unknown },
  ) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.statusCode = details.statusCode;
    this.issues = details.issues;
    this.path = details.issues[0]?.path ?? "";
    this.errorType = details.errorType;
    this.error = details.error;
  }
}
