/**
 * Chromium, Firefox and Safari cap the bodies of `keepalive` fetches and beacons still in
 * flight at 64 KiB per page, counted in bytes (SPEC §6). Over the cap, `sendBeacon`
 * returns false and a keepalive `fetch` rejects. This books what the SDK has in flight so
 * that it never asks for more than is left; the browser's own answer stays the final word.
 */
export const KEEPALIVE_QUOTA_BYTES = 65_536;

/** How long a beacon's bytes stay booked: its end cannot be observed, so assume it is done by then. */
export const BEACON_HOLD_MS = 5_000;

export class KeepaliveQuota {
  private used = 0;

  constructor(
    readonly limit = KEEPALIVE_QUOTA_BYTES,
    private readonly setTimer: (fn: () => void, ms: number) => unknown = (fn, ms) => globalThis.setTimeout(fn, ms),
  ) {}

  /** Bytes that may still be sent with keepalive now. */
  get available(): number {
    return Math.max(0, this.limit - this.used);
  }

  /** Books `bytes` if they fit; the caller releases them when its request settles. */
  tryReserve(bytes: number): boolean {
    if (bytes > this.available) return false;
    this.used += bytes;
    return true;
  }

  release(bytes: number): void {
    this.used = Math.max(0, this.used - bytes);
  }

  /** Books the bytes of a queued beacon for `BEACON_HOLD_MS` (there is no completion event). */
  hold(bytes: number, ms = BEACON_HOLD_MS): void {
    this.used += bytes;
    this.setTimer(() => this.release(bytes), ms);
  }
}

/** UTF-8 length of a string without encoding it (lone surrogates count 3, as TextEncoder's U+FFFD). */
export function utf8Length(text: string): number {
  let bytes = text.length;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) continue;
    if (c < 0x800) bytes += 1;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      bytes += 2; // a pair: 2 code units → 4 bytes
      i++;
    } else bytes += 2;
  }
  return bytes;
}
