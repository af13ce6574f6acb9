/**
 * The reference percentile (pyformance's, docs/percentiles.md), written from the definition
 * for tests: `sorted` ascending, position p = q·(n + 1) over 1-based order statistics.
 */
export function pyformancePercentile(sorted: ArrayLike<number>, q: number): number {
  const n = sorted.length;
  if (n === 0) return 0;
  const p = q * (n + 1);
  if (p < 1) return sorted[0]!;
  if (p >= n) return sorted[n - 1]!;
  const k = Math.floor(p);
  const lower = sorted[k - 1]!;
  return lower + (p - k) * (sorted[k]! - lower);
}
