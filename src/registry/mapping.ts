/**
 * Relative accuracy of the sketch's quantiles: a reported quantile is within 0.8 % of the
 * exact one (DDSketch's guarantee for log buckets of ratio gamma = (1 + a) / (1 - a)). Below
 * 1 % so that rounding at bucket edges never pushes the error past the 1 % promise.
 */
export const RELATIVE_ACCURACY = 0.008;
const GAMMA = (1 + RELATIVE_ACCURACY) / (1 - RELATIVE_ACCURACY);

/*
 * Value ↔ bucket index without `Math.log` on the hot path (DDSketch's "cubically
 * interpolated" mapping): log2(v) is approximated from the exponent `e` and significand
 * `1 + s` of v as float32 as `e + P(s)`, P a cubic with P(0) = 0 and P(1) = 1. P's slope
 * against the true log2 is at least `C * ln 2` (at s = 0), so buckets of width
 * `C * ln(gamma)` of the approximation span at most a factor gamma of true value.
 * float32 keeps 24 bits of the value (far finer than a bucket) and its bits come out of
 * one 4-byte word, which avoids the store-forwarding stall of reading a float64's halves
 * (and any endianness question). Values outside float32's normal range use the true log2,
 * which meets the approximation exactly at the range's ends (P is exact at octave edges).
 */
const A = 6 / 35;
const B = -3 / 5;
const C = 10 / 7;
const WIDTH = C * Math.log(GAMMA);
const INV_WIDTH = 1 / WIDTH;
const TWO_M23 = 2 ** -23;
const F32_MIN_EXP = -126;
const F32_MAX_EXP = 128;

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** Bucket index of a positive finite value. */
export function indexOf(v: number): number {
  f32[0] = v;
  const bits = u32[0]!;
  const exp = bits >>> 23;
  if (exp === 0 || exp === 255) return Math.ceil(Math.log2(v) * INV_WIDTH);
  const s = (bits & 0x7fffff) * TWO_M23;
  return Math.ceil((exp - 127 + ((A * s + B) * s + C) * s) * INV_WIDTH);
}

/** The value with the smallest relative error to anything in bucket `i`. */
export function bucketValue(i: number): number {
  const lo = inverse((i - 1) * WIDTH);
  const hi = inverse(i * WIDTH);
  return (2 * lo) / (1 + lo / hi); // 2·lo·hi / (lo + hi) without overflowing lo·hi
}

/** The v whose approximate log2 is y (P increases on [0, 1]: bisection, at collect time only). */
function inverse(y: number): number {
  if (y < F32_MIN_EXP || y >= F32_MAX_EXP) return 2 ** y;
  const e = Math.floor(y);
  const f = y - e;
  let lo = 0;
  let hi = 1;
  for (let k = 0; k < 60; k++) {
    const mid = (lo + hi) / 2;
    if (((A * mid + B) * mid + C) * mid < f) lo = mid;
    else hi = mid;
  }
  return 2 ** e * (1 + (lo + hi) / 2);
}
