/**
 * Thrown inside a route handler to answer with an OpenTSDB-style JSON error;
 * the router turns it into the response. Messages never contain the token.
 */
export class BackendHttpError extends Error {
  override name = "BackendHttpError";
  constructor(
    readonly status: number,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}
