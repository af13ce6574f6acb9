/**
 * Chromium, Firefox and Safari cap the bodies of `keepalive` fetches and beacons still in
 * flight at 64 KiB per page, counted in bytes (docs/runtimes.md). Over the cap, `sendBeacon`
 * returns false and a keepalive `fetch` rejects. This books what the SDK has in flight so
 * that it never asks for more than is left; the browser's own answer stays the final word.
 */
export const KEEPALIVE_QUOTA_BYTES = 65_536;

/**
 * How long a keepalive request's bytes stay booked after its answer: Chromium frees them a
 * little after the response reaches the page (measured: a second 64 KB keepalive `fetch`
 * right after the first one's answer fails; 50 ms later it goes).
 */
export const KEEPALIVE_SETTLE_MS = 250;

/** How long a beacon's bytes stay booked: its end cannot be observed, so assume it is done by then. */
export const BEACON_HOLD_MS = 5_000;

export class KeepaliveQuota {
  private used_ = 0;

  constructor(
    readonly limit = KEEPALIVE_QUOTA_BYTES,
    private readonly setTimer_: (fn: () => void, ms: number) => unknown = (fn, ms) => globalThis.setTimeout(fn, ms),
  ) {}

  /** Bytes that may still be sent with keepalive now. */
  get available(): number {
    return Math.max(0, this.limit - this.used_);
  }

  /** Books `bytes` if they fit; the caller releases them when its request settles. */
  tryReserve(bytes: number): boolean {
    if (bytes > this.available) return false;
    this.used_ += bytes;
    return true;
  }

  release(bytes: number): void {
    this.used_ = Math.max(0, this.used_ - bytes);
  }

  /** A keepalive request booked with `tryReserve` has answered: its bytes come free a little later. */
  settle(bytes: number): void {
    this.setTimer_(() => this.release(bytes), KEEPALIVE_SETTLE_MS);
  }

  /** Books the bytes of a queued beacon for `BEACON_HOLD_MS` (there is no completion event). */
  hold(bytes: number, ms = BEACON_HOLD_MS): void {
    this.used_ += bytes;
    this.setTimer_(() => this.release(bytes), ms);
  }
}

// Where the byte counting of bodies lives; re-exported for the browser code that books bytes.
export { utf8Length } from "../../relay/utf8-length";
