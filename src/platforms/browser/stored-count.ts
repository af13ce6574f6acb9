import { readAtMost } from "../../core/read-at-most";

/**
 * How many points a 400 says were stored: the `success` of its `{success, failed, …}` body
 * (the write API's details, or the relay's counts), read up to `maxBytes`; 0 when absent,
 * larger or unreadable. Clamped to `count`, the points the request carried.
 */
export async function storedCount(response: Response, count: number, maxBytes: number): Promise<number> {
  try {
    const bytes = response.body === null ? undefined : await readAtMost(response.body, maxBytes);
    const success =
      bytes === undefined ? undefined : (JSON.parse(new TextDecoder().decode(bytes)) as { success?: unknown } | null)?.success;
    return typeof success === "number" && Number.isFinite(success) ? Math.min(count, Math.max(0, Math.floor(success))) : 0;
  } catch {
    return 0;
  }
}
