import type { WirePoint } from "../wire";

/**
 * Base class of every error the SDK throws on purpose. Messages never contain the API token.
 *
 * `undelivered` lists the points of a `send`/`sendTimeseries` call that were neither stored
 * nor rejected by the server: safe to send again later. It is empty for errors raised before
 * any request (config, validation) and for queries.
 */
export class ApptuitError extends Error {
  override name = "ApptuitError";
  undelivered: WirePoint[] = [];

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}
