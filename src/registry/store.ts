/** Most buckets one store keeps (~14 decades at 0.8 % accuracy); past it the lowest collapse. */
export const MAX_BUCKETS = 2048;
const INITIAL_BUCKETS = 64;
const MIN_SLACK = 32;

type Counts = Uint16Array | Uint32Array | Float64Array;

/** Smallest counts array able to hold `max`, never narrower than `current`. */
function allocCounts(length: number, max: number, current: Counts | undefined): Counts {
  if (current instanceof Float64Array || max > 0xffff_ffff) return new Float64Array(length);
  if (current instanceof Uint32Array || max > 0xffff) return new Uint32Array(length);
  return new Uint16Array(length);
}

/**
 * Bucket counts of a log-scale sketch over a dense window of bucket indices
 * `[offset, offset + counts.length)`. The window grows lazily around what was seen (a
 * narrow latency distribution needs a few hundred buckets, ~1 KB); past `MAX_BUCKETS` the
 * lowest buckets collapse into the lowest kept one, so memory stays bounded and the high
 * quantiles that matter for latencies stay exact to the sketch's accuracy.
 *
 * Counts start as 16-bit and widen (32-bit, then float64) the first time a bucket would
 * overflow, so memory follows what the data needs.
 */
export class Store {
  counts: Counts = new Uint16Array(0);
  offset = 0;

  add(index: number): void {
    const counts = this.counts;
    const j = index - this.offset;
    if (j >= 0 && j < counts.length) {
      const c = counts[j]! + 1;
      counts[j] = c;
      // A narrow typed array wraps on overflow: widen it.
      if (counts[j] !== c) this.widen(j, c);
      return;
    }
    this.grow(index, 1);
  }

  /** Adds `n` to bucket `index` (merging); may grow, collapse or widen. */
  addCount(index: number, n: number): void {
    const counts = this.counts;
    const j = index - this.offset;
    if (j >= 0 && j < counts.length) {
      const c = counts[j]! + n;
      counts[j] = c;
      if (counts[j] !== c) this.widen(j, c);
      return;
    }
    this.grow(index, n);
  }

  /** Adds every bucket of `other`. */
  merge(other: Store): void {
    const counts = other.counts;
    for (let j = 0; j < counts.length; j++) {
      const c = counts[j]!;
      if (c !== 0) this.addCount(other.offset + j, c);
    }
  }

  reset(): void {
    this.counts.fill(0);
  }

  private widen(j: number, value: number): void {
    const next = allocCounts(this.counts.length, value, this.counts);
    next.set(this.counts);
    next[j] = value;
    this.counts = next;
  }

  private grow(index: number, n: number): void {
    const old = this.counts;
    const len = old.length;
    const empty = len === 0;
    const lo = empty ? index : Math.min(index, this.offset);
    const hi = empty ? index : Math.max(index, this.offset + len - 1);
    const span = hi - lo + 1;
    let newLen: number;
    let newLo: number;
    if (span >= MAX_BUCKETS) {
      newLen = MAX_BUCKETS;
      newLo = hi - MAX_BUCKETS + 1;
    } else {
      newLen = Math.min(MAX_BUCKETS, Math.max(empty ? INITIAL_BUCKETS : span + Math.max(MIN_SLACK, span >> 2), span));
      // Put the slack where the window grew (or around the first value).
      newLo = empty ? index - (newLen >> 1) : index < this.offset ? hi - newLen + 1 : lo;
    }
    // Collapsed buckets sum into bucket 0: size the type for the largest result.
    let collapsed = 0;
    let max = 0;
    for (let j = 0; j < len; j++) {
      const c = old[j]!;
      if (this.offset + j < newLo) collapsed += c;
      else if (c > max) max = c;
    }
    const first = index <= newLo ? n : 0;
    max = Math.max(max + n, collapsed + first + (old[newLo - this.offset] ?? 0));
    const next = allocCounts(newLen, max, old);
    for (let j = 0; j < len; j++) {
      const k = this.offset + j - newLo;
      if (k >= 0) next[k] = old[j]!;
    }
    next[0] = next[0]! + collapsed;
    next[Math.max(index - newLo, 0)]! += n;
    this.counts = next;
    this.offset = newLo;
  }
}
