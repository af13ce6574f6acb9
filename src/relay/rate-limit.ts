/**
 * Per-client token buckets that fit a stateless edge.
 *
 * Guarantees (documented, and all there is):
 * - Per isolate / per process: each Worker isolate, edge instance or server process keeps
 *   its own buckets. With N instances serving one client, that client may get up to N times
 *   the limit. It is a best-effort brake on floods, not a global quota.
 * - Bounded memory: at most `maxKeys` clients are tracked (least recently seen evicted
 *   first). An evicted client comes back with a full bucket, so a flood of distinct keys
 *   can reset others' buckets: fail open, never unbounded memory.
 * - Buckets refill continuously: `limit` tokens per `windowMs`, burst up to `limit`.
 * - Keys cannot be forged: proxy headers count only when the relay is told to trust them
 *   (`trustProxy`: a hop count read from the right of `X-Forwarded-For`, or `"cloudflare"`
 *   for `CF-Connecting-IP`); otherwise the key is `context.clientId` (the socket's
 *   address). Requests without any key share one global bucket: fail closed, never
 *   unlimited. Pass `key` to choose differently.
 */

export interface RateLimitOptions {
  /** Requests per window per client. Default 300. `0`/`Infinity` disables this bucket. */
  requests?: number;
  /** Points per window per client. Default 100,000. `0`/`Infinity` disables this bucket. */
  points?: number;
  /** Window in milliseconds over which `requests`/`points` refill. Default 60,000. */
  windowMs?: number;
  /** Most clients tracked at once (LRU). Default 10,000. */
  maxKeys?: number;
  /** Client key of a request; `undefined` = the shared global bucket. */
  key?: (request: Request, clientId: string | undefined) => string | undefined;
  /** Clock in milliseconds (tests). Default `Date.now`. */
  now?: () => number;
}

export const RATE_LIMIT_DEFAULTS = { requests: 300, points: 100_000, windowMs: 60_000, maxKeys: 10_000 } as const;

interface Bucket {
  tokens: number;
  at: number;
}

/** One kind of token bucket (requests, or points) for many keys, LRU-capped. */
export class TokenBuckets {
  readonly #capacity: number;
  readonly #perMs: number;
  readonly #maxKeys: number;
  readonly #now: () => number;
  readonly #buckets = new Map<string, Bucket>();

  constructor(capacity: number, windowMs: number, maxKeys: number, now: () => number) {
    this.#capacity = capacity;
    this.#perMs = capacity / windowMs;
    this.#maxKeys = Math.max(1, maxKeys);
    this.#now = now;
  }

  /** Tracked keys (for tests and metrics). */
  get size(): number {
    return this.#buckets.size;
  }

  /**
   * Takes `cost` tokens from `key`'s bucket. Returns 0 when granted, otherwise the seconds
   * to wait (≥ 1) before that cost can be granted. A cost above the capacity needs a full
   * bucket and empties it, so an oversized request still gets through once per window.
   */
  take(key: string, cost: number): number {
    const now = this.#now();
    let bucket = this.#buckets.get(key);
    if (bucket === undefined) {
      bucket = { tokens: this.#capacity, at: now };
      if (this.#buckets.size >= this.#maxKeys) {
        // Map iterates in insertion order, and every hit re-inserts: the first key is the LRU.
        this.#buckets.delete(this.#buckets.keys().next().value!);
      }
    } else {
      this.#buckets.delete(key);
      bucket.tokens = Math.min(this.#capacity, bucket.tokens + Math.max(0, now - bucket.at) * this.#perMs);
      bucket.at = now;
    }
    this.#buckets.set(key, bucket);
    const need = Math.min(cost, this.#capacity);
    if (bucket.tokens >= need) {
      bucket.tokens -= need;
      return 0;
    }
    return Math.max(1, Math.ceil((need - bucket.tokens) / this.#perMs / 1000));
  }
}

/**
 * Which proxy headers name the client: a number of proxies in front of the relay (the
 * address that many hops from the right of `X-Forwarded-For`, the one the nearest trusted
 * proxy saw), or `"cloudflare"` (`CF-Connecting-IP`, set by Cloudflare and not forgeable
 * through it). Default: none — a page can write any header it likes.
 */
export type TrustProxy = number | "cloudflare";

/** The key shared by every request that has none. */
export const GLOBAL_KEY = "*";

/** A client-key function that trusts only the proxy headers `trust` allows. */
export function clientKeyFor(trust: TrustProxy | undefined): (request: Request, clientId: string | undefined) => string | undefined {
  if (trust !== undefined && trust !== "cloudflare" && !(Number.isInteger(trust) && trust > 0)) {
    throw new RangeError('trustProxy must be a positive integer (proxies in front of the relay) or "cloudflare"');
  }
  return (request, clientId) => {
    if (trust === "cloudflare") {
      const cf = request.headers.get("cf-connecting-ip")?.trim();
      if (cf) return cf;
    } else if (trust !== undefined) {
      const hops = (request.headers.get("x-forwarded-for") ?? "")
        .split(",")
        .map((s) => s.trim())
        .filter((s) => s !== "");
      const at = hops[hops.length - trust];
      if (at !== undefined) return at;
    }
    return clientId ? clientId : undefined;
  };
}

/** Default client key: the platform-supplied id only (no proxy header is trusted by default). */
export const defaultClientKey = clientKeyFor(undefined);

/** The relay's limiter: a request bucket checked before reading, a point bucket after decoding. */
export class RelayRateLimiter {
  readonly #requests: TokenBuckets | undefined;
  readonly #points: TokenBuckets | undefined;
  readonly #key: (request: Request, clientId: string | undefined) => string | undefined;

  constructor(options: RateLimitOptions = {}, trustProxy?: TrustProxy) {
    const windowMs = options.windowMs ?? RATE_LIMIT_DEFAULTS.windowMs;
    const maxKeys = options.maxKeys ?? RATE_LIMIT_DEFAULTS.maxKeys;
    const now = options.now ?? Date.now;
    if (!(windowMs > 0)) throw new RangeError("rateLimit.windowMs must be > 0");
    const make = (limit: number) => (limit > 0 && Number.isFinite(limit) ? new TokenBuckets(limit, windowMs, maxKeys, now) : undefined);
    this.#requests = make(options.requests ?? RATE_LIMIT_DEFAULTS.requests);
    this.#points = make(options.points ?? RATE_LIMIT_DEFAULTS.points);
    this.#key = options.key ?? clientKeyFor(trustProxy);
  }

  /** The request's client key; `GLOBAL_KEY` when it has none. */
  key(request: Request, clientId: string | undefined): string {
    return this.#key(request, clientId) ?? GLOBAL_KEY;
  }

  /** Seconds to wait, or 0 when this request may proceed. */
  takeRequest(key: string): number {
    return this.#requests === undefined ? 0 : this.#requests.take(key, 1);
  }

  /** Seconds to wait, or 0 when these points may be forwarded. */
  takePoints(key: string, points: number): number {
    return this.#points === undefined ? 0 : this.#points.take(key, points);
  }
}
