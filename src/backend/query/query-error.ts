/** A query that the backend cannot parse or evaluate; answered with 400 and the message. */
export class QueryError extends Error {
  override name = "QueryError";
  constructor(
    message: string,
    /** Offset in the query text where the problem is, when known. */
    readonly offset?: number,
  ) {
    super(message);
  }
}
