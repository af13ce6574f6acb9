/**
 * Called for every failure of a flush, as the Python reporter's error handler:
 * `statusCode` is the HTTP status (undefined for network errors, invalid points and
 * collection errors), `successful`/`failed` count points of the failed attempt, and
 * `errors` are the server's `{datapoint, error}` rows for a 400, otherwise the error
 * objects themselves.
 */
export type ReporterErrorHandler = (statusCode: number | undefined, successful: number, failed: number, errors: unknown[]) => void;

/**
 * The default handler: one concise line on `console.warn`, passed through `redact` (the
 * sender's own masking of its secrets, e.g. `Apptuit#redact`) should a message ever carry one.
 */
export function consoleErrorHandler(redact: (text: string) => string = (text) => text): ReporterErrorHandler {
  return (statusCode, successful, failed, errors) => {
    const status = statusCode === undefined ? "" : ` (HTTP ${statusCode})`;
    const first = errors.length === 0 ? "" : `: ${describe(errors[0])}${errors.length > 1 ? ` (+${errors.length - 1} more)` : ""}`;
    console.warn(redact(`apptuit reporter: ${failed} point(s) failed, ${successful} succeeded${status}${first}`));
  };
}

function describe(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`.slice(0, 300);
  if (typeof error === "object" && error !== null && "error" in error) {
    const row = error as { error: unknown; datapoint?: { metric?: unknown } };
    const metric = typeof row.datapoint?.metric === "string" ? `${row.datapoint.metric}: ` : "";
    return `${metric}${String(row.error)}`.slice(0, 300);
  }
  return String(error).slice(0, 300);
}
