import { encodeCompact } from "../../relay/compact-format";
import type { KeepaliveQuota } from "./quota";
import type { WirePoint } from "../../core/wire";

/**
 * How the unload flush hands one body to the browser, synchronously. `true`: the browser
 * took it (a queued beacon counts as delivered: nothing would learn otherwise); `false`:
 * refused now; a promise: a keepalive request whose answer (if the page lives to see it)
 * says whether it was stored, or `"refused"` for an answer that makes retrying pointless.
 */
export type HandOff = boolean | Promise<boolean | "refused">;

export interface UrgentChannel {
  encode(points: WirePoint[]): string;
  maxBodyBytes: number;
  maxPoints: number;
  send(body: string, bytes: number): HandOff;
}

/** Relay mode: a `text/plain` string beacon (no headers needed, no preflight cross-origin). */
export function beaconChannel(url: string, quota: KeepaliveQuota, limits: { maxBodyBytes: number; maxPoints: number }): UrgentChannel {
  return {
    encode: encodeCompact,
    ...limits,
    send(body, bytes) {
      let queued = false;
      try {
        queued = navigator.sendBeacon(url, body);
      } catch {
        queued = false;
      }
      if (queued) quota.hold(bytes);
      return queued;
    },
  };
}

/**
 * Direct mode: a keepalive `fetch` with the `Authorization` header a beacon cannot carry.
 * The body is plain JSON: gzip (`CompressionStream`) is asynchronous, and work that has
 * not started a request before the page is torn down never does.
 */
export function keepaliveChannel(
  writeUrl: string,
  token: string,
  quota: KeepaliveQuota,
  limits: { maxBodyBytes: number; maxPoints: number },
): UrgentChannel {
  return {
    encode: (points) => JSON.stringify(points),
    ...limits,
    send(body, bytes) {
      if (!quota.tryReserve(bytes)) return false;
      let request: Promise<Response>;
      try {
        request = fetch(writeUrl, {
          method: "POST",
          body,
          keepalive: true,
          headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
        });
      } catch {
        quota.release(bytes);
        return false;
      }
      return request.then(
        (response) => {
          quota.release(bytes);
          void response.body?.cancel().catch(() => undefined);
          if (response.ok) return true;
          const s = response.status;
          return s >= 400 && s < 500 && s !== 408 && s !== 429 ? "refused" : false;
        },
        () => {
          quota.release(bytes);
          return false;
        },
      );
    },
  };
}
