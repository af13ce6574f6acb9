import { STORED_HEADER } from "../../relay/stored-header";

/**
 * How many points a relay's 400 says were stored: its `Apptuit-Stored` header (exposed
 * over CORS), clamped to `count`, the points the request carried (none given: the caller
 * clamps); 0 when absent or not a finite number. The body is not read (the caller cancels it).
 */
export function relayStored(response: Response, count = Infinity): number {
  const stored = Number(response.headers.get(STORED_HEADER));
  return Number.isFinite(stored) ? Math.min(count, Math.max(0, Math.floor(stored))) : 0;
}
