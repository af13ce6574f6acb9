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
 * - Keys come from `context.clientId`, then `CF-Connecting-IP`, then the first address of
 *   `X-Forwarded-For`. Only trust `X-Forwarded-For` behind a proxy that sets it; pass
 *   `key` to choose differently. Requests without any key are not limited.
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
  /** Client key of a request; `undefined` = not limited. */
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

/** Default client key: platform-supplied id, Cloudflare's client IP, or the first forwarded address. */
export function defaultClientKey(request: Request, clientId: string | undefined): string | undefined {
  if (clientId) return clientId;
  const cf = request.headers.get("cf-connecting-ip");
  if (cf) return cf.trim();
  const forwarded = request.headers.get("x-forwarded-for");
  const first = forwarded?.split(",")[0]?.trim();
  return first ? first : undefined;
}

/** The relay's limiter: a request bucket checked before reading, a point bucket after decoding. */
export class RelayRateLimiter {
  readonly #requests: TokenBuckets | undefined;
  readonly #points: TokenBuckets | undefined;
  readonly #key: (request: Request, clientId: string | undefined) => string | undefined;

  constructor(options: RateLimitOptions = {}) {
    const windowMs = options.windowMs ?? RATE_LIMIT_DEFAULTS.windowMs;
    const maxKeys = options.maxKeys ?? RATE_LIMIT_DEFAULTS.maxKeys;
    const now = options.now ?? Date.now;
    if (!(windowMs > 0)) throw new RangeError("rateLimit.windowMs must be > 0");
    const make = (limit: number) => (limit > 0 && Number.isFinite(limit) ? new TokenBuckets(limit, windowMs, maxKeys, now) : undefined);
    this.#requests = make(options.requests ?? RATE_LIMIT_DEFAULTS.requests);
    this.#points = make(options.points ?? RATE_LIMIT_DEFAULTS.points);
    this.#key = options.key ?? defaultClientKey;
  }

  key(request: Request, clientId: string | undefined): string | undefined {
    return this.#key(request, clientId);
  }

  /** Seconds to wait, or 0 when this request may proceed. */
  takeRequest(key: string | undefined): number {
    return key === undefined || this.#requests === undefined ? 0 : this.#requests.take(key, 1);
  }

  /** Seconds to wait, or 0 when these points may be forwarded. */
  takePoints(key: string | undefined, points: number): number {
    return key === undefined || this.#points === undefined ? 0 : this.#points.take(key, points);
  }
}
