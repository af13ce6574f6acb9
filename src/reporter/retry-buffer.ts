import type { WirePoint } from "../core/wire";

/** Bounds of the retry buffer; whichever is hit first evicts the oldest points. */
export interface RetryBufferLimits {
  /** Default 100,000 points. */
  maxPoints?: number;
  /** Estimated JSON bytes (see `estimateBytes`); default 16 MiB. */
  maxBytes?: number;
}

export const DEFAULT_RETRY_BUFFER: Required<RetryBufferLimits> = { maxPoints: 100_000, maxBytes: 16 * 1024 * 1024 };

/**
 * FIFO of points whose delivery failed but may be retried. Bounded by points and by
 * estimated bytes: pushing past a bound evicts the oldest points, and the caller counts
 * them as dropped, so nothing leaves it unaccounted.
 */
export class RetryBuffer {
  private points: WirePoint[] = [];
  private sizes: number[] = [];
  private head = 0;
  private bytes = 0;
  readonly maxPoints: number;
  readonly maxBytes: number;

  constructor(limits: RetryBufferLimits = {}) {
    this.maxPoints = limits.maxPoints ?? DEFAULT_RETRY_BUFFER.maxPoints;
    this.maxBytes = limits.maxBytes ?? DEFAULT_RETRY_BUFFER.maxBytes;
  }

  get size(): number {
    return this.points.length - this.head;
  }

  get byteSize(): number {
    return this.bytes;
  }

  /** Appends `points` (newest last); returns how many of the oldest were evicted to stay in bounds. */
  push(points: readonly WirePoint[]): number {
    for (const point of points) {
      const size = estimateBytes(point);
      this.points.push(point);
      this.sizes.push(size);
      this.bytes += size;
    }
    let evicted = 0;
    while (this.size > 0 && (this.size > this.maxPoints || this.bytes > this.maxBytes)) {
      this.bytes -= this.sizes[this.head]!;
      this.head++;
      evicted++;
    }
    // Compact once the evicted prefix dominates, so eviction stays O(1) amortised.
    if (this.head > 1024 && this.head * 2 > this.points.length) this.compact();
    return evicted;
  }

  /** Removes and returns every buffered point, oldest first. */
  takeAll(): WirePoint[] {
    const taken = this.head === 0 ? this.points : this.points.slice(this.head);
    this.points = [];
    this.sizes = [];
    this.head = 0;
    this.bytes = 0;
    return taken;
  }

  private compact(): void {
    this.points = this.points.slice(this.head);
    this.sizes = this.sizes.slice(this.head);
    this.head = 0;
  }
}

// `{"metric":"","timestamp":,"value":,"tags":{}}` is 45 characters; a timestamp in
// milliseconds is 13 digits.
const POINT_OVERHEAD = 45 + 13;

/**
 * Estimated size of a point as OpenTSDB JSON, without serialising it: string lengths
 * plus the fixed punctuation (UTF-16 length, so non-ASCII text is under-counted by at
 * most 3×; good enough for a memory bound).
 */
export function estimateBytes(point: WirePoint): number {
  let size = POINT_OVERHEAD + point.metric.length + numberLength(point.value);
  const tags = point.tags;
  for (const key in tags) size += key.length + (tags[key]?.length ?? 0) + 6; // "k":"v",
  return size;
}

function numberLength(value: number): number {
  return Number.isInteger(value) && Math.abs(value) < 1e15 ? (value < 0 ? 2 : 1) + Math.floor(Math.log10(Math.abs(value) || 1)) : 24;
}
