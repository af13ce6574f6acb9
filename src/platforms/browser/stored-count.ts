import { readAtMost } from "../../core/read-at-most";

/** Largest 400 body read for its counts (a write API's details list up to 50,000 rows). */
const MAX_DETAILS_BYTES = 4 * 1024 * 1024;

/**
 * How many points a write API's 400 says were stored: the `success` of its
 * `{success, failed, errors}` details body, read up to 4 MiB; 0 when absent, larger or
 * unreadable. The caller clamps it to the points the request carried. (A relay says it in
 * a header: `relayStored`.)
 */
export async function storedCount(response: Response): Promise<number> {
  try {
    const bytes = response.body === null ? undefined : await readAtMost(response.body, MAX_DETAILS_BYTES);
    const success =
      bytes === undefined ? undefined : (JSON.parse(new TextDecoder().decode(bytes)) as { success?: unknown } | null)?.success;
    return typeof success === "number" && Number.isFinite(success) ? Math.max(0, Math.floor(success)) : 0;
  } catch {
    return 0;
  }
}
