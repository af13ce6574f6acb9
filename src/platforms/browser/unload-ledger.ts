/** Counter (before prefix and sanitizing) of points a page handed to ordinary requests on unload and never saw answered. */
export const UNLOAD_UNCONFIRMED = "apptuit.browser.unload_unconfirmed";

const PREFIX = "apptuit:pending:";

/**
 * A page being closed may be killed at any moment of its page-hide flush (Chromium gives
 * the close about half a second, measured), and the ordinary requests it sends beyond the
 * 64 KiB keepalive quota may be cancelled once it is gone — and then nothing is left to
 * count those points. So the page-hide flush notes every point it takes before it does any
 * other work (`localStorage["apptuit:pending:<page id>"]`, one key per page so tabs never
 * overwrite each other) and takes points off only once they are accounted for: handed to
 * a beacon or keepalive request (the browser finishes those after the page is gone), or
 * answered. Points whose request failed go back to the page's retry buffer and stay noted
 * (`hold`) until the page is shown again (`revive`): only a living page sends them again
 * (see docs/browser-unload.md). A later page of the same
 * origin that finds a key older than `graceMs` (a live page would have settled it: its
 * requests time out sooner) reports that count as `apptuit.browser.unload_unconfirmed`
 * and removes the key. Those points may have arrived (the request may have finished after
 * the page died): unconfirmed, not necessarily lost. Without storage (blocked, private
 * mode quota) it does nothing.
 */
export interface UnloadLedger {
  add(points: number): void;
  /** `points` are accounted for (handed to the browser for good, or answered). */
  settle(points: number): void;
  /** `points` already noted are back in the retry buffer: noted until `revive()`. */
  hold(points: number): void;
  /** The page is visible again: what is back in its retry buffer will be sent and counted by it. */
  revive(): void;
  /** Removes the keys of other pages last written more than `graceMs` ago, and returns their points. */
  takeStale(graceMs: number): number;
}

/**
 * A closure rather than a class (it minifies smaller, docs/browser-page-size.md), still
 * built with `new UnloadLedger(storage, now?, id?)`: a function returning an object works
 * as a constructor.
 */
export const UnloadLedger = function unloadLedger(
  storage: Storage | undefined,
  now: () => number = () => Date.now(),
  id: string = randomId(),
): UnloadLedger {
  let pending = 0;
  /** Of `pending`, points back in this page's retry buffer: cleared when the page lives on. */
  let back = 0;
  const key = PREFIX + id;
  const write = () => {
    try {
      if (pending === 0) storage?.removeItem(key);
      else storage?.setItem(key, JSON.stringify({ n: pending, t: now() }));
    } catch {
      // Full or blocked storage: the count is only a diagnostic.
    }
  };
  const ledger: UnloadLedger = {
    add(points) {
      pending += points;
      write();
    },
    settle(points) {
      pending = Math.max(0, pending - points);
      write();
    },
    hold(points) {
      back += points;
    },
    revive() {
      const held = back;
      back = 0;
      if (held > 0) ledger.settle(held);
    },
    takeStale(graceMs) {
      let points = 0;
      try {
        const keys: string[] = [];
        for (let i = 0; i < storage!.length; i++) {
          const other = storage!.key(i);
          if (other?.startsWith(PREFIX) && other !== key) keys.push(other);
        }
        for (const other of keys) {
          const entry = parse(storage!.getItem(other));
          if (entry !== undefined && now() - entry.t <= graceMs) continue;
          points += entry?.n ?? 0;
          storage!.removeItem(other);
        }
      } catch {
        // No storage, or it throws (blocked): nothing to report.
      }
      return points;
    },
  };
  return ledger;
} as unknown as new (
  storage: Storage | undefined,
  now?: () => number,
  id?: string,
) => UnloadLedger;

function parse(text: string | null): { n: number; t: number } | undefined {
  try {
    const { n, t } = JSON.parse(text!) as { n: unknown; t: unknown };
    return typeof n === "number" && typeof t === "number" ? { n, t } : undefined;
  } catch {
    return undefined;
  }
}

/** Unique enough among the pages of one origin (`crypto.randomUUID` needs a secure context). */
const randomId = (): string => Math.random().toString(36).slice(2);

/** `localStorage`, or undefined where reading it throws (sandboxed frames, blocked storage). */
export function pageStorage(): Storage | undefined {
  try {
    return globalThis.localStorage ?? undefined;
  } catch {
    return undefined;
  }
}
