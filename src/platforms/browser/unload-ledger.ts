/** Counter (before prefix and sanitizing) of points a page handed to ordinary requests on unload and never saw answered. */
export const UNLOAD_UNCONFIRMED = "apptuit.browser.unload_unconfirmed";

const PREFIX = "apptuit:pending:";

/**
 * The page-hide flush sends what the 64 KiB keepalive quota cannot carry as ordinary
 * requests, which the browser may cancel once the page is gone — and then nothing is left
 * to count them. So the page writes, before sending, how many points it has in such
 * requests (`localStorage["apptuit:pending:<page id>"]`, one key per page so tabs never
 * overwrite each other) and takes them off as answers arrive. A later page of the same
 * origin that finds a key older than `graceMs` (a live page would have settled it: its
 * requests time out sooner) reports that count as `apptuit.browser.unload_unconfirmed`
 * and removes the key. Those points may have arrived (the request may have finished after
 * the page died): unconfirmed, not necessarily lost. Without storage (blocked, private
 * mode quota) it does nothing.
 */
export class UnloadLedger {
  private pending = 0;
  private readonly key: string;

  constructor(
    private readonly storage: Storage | undefined,
    private readonly now: () => number = () => Date.now(),
    id: string = randomId(),
  ) {
    this.key = PREFIX + id;
  }

  add(points: number): void {
    this.pending += points;
    this.write();
  }

  settle(points: number): void {
    this.pending = Math.max(0, this.pending - points);
    this.write();
  }

  /** Removes the keys of other pages last written more than `graceMs` ago, and returns their points. */
  takeStale(graceMs: number): number {
    let points = 0;
    try {
      const storage = this.storage!;
      const keys: string[] = [];
      for (let i = 0; i < storage.length; i++) {
        const key = storage.key(i);
        if (key?.startsWith(PREFIX) && key !== this.key) keys.push(key);
      }
      for (const key of keys) {
        const entry = parse(storage.getItem(key));
        if (entry !== undefined && this.now() - entry.t <= graceMs) continue;
        points += entry?.n ?? 0;
        storage.removeItem(key);
      }
    } catch {
      // No storage, or it throws (blocked): nothing to report.
    }
    return points;
  }

  private write(): void {
    try {
      if (this.pending === 0) this.storage?.removeItem(this.key);
      else this.storage?.setItem(this.key, JSON.stringify({ n: this.pending, t: this.now() }));
    } catch {
      // Full or blocked storage: the count is only a diagnostic.
    }
  }
}

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
