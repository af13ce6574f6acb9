/**
 * Value ↔ bucket index of the sketch, without `Math.log` on the hot path (DDSketch's
 * "cubically interpolated" mapping): log2(v) is approximated from the float's exponent
 * `e` and significand `1 + s` as `e + P(s)`, with P a cubic through (0, 0) and (1, 1).
 * P's slope against the true log2 is at least `C * ln 2` (at s = 0), so buckets of width
 * `C * ln(gamma)` in the approximation span at most a factor gamma of true value: each
 * bucket is within the relative accuracy of its representative.
 */
const A = 6 / 35;
const B = -3 / 5;
const C = 10 / 7;

// One shared scratch to read a double's bits; both little- and big-endian layouts handled.
const scratch = new Float64Array(1);
const words = new Uint32Array(scratch.buffer);
const HI = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 1 : 0;
const LO = 1 - HI;
const TWO_M20 = 2 ** -20;
const TWO_M52 = 2 ** -52;

export class LogMapping {
  private readonly inv: number;
  private readonly width: number;
  /** Index of subnormal values (below 2^-1022), all put in one bucket. */
  private readonly tiny: number;

  constructor(gamma: number) {
    this.width = C * Math.log(gamma);
    this.inv = 1 / this.width;
    this.tiny = Math.ceil(-1022 * this.inv);
  }

  /** Bucket of a positive finite value. */
  index(v: number): number {
    scratch[0] = v;
    const hi = words[HI]!;
    const exp = hi >>> 20;
    if (exp === 0) return this.tiny;
    const s = (hi & 0xfffff) * TWO_M20 + words[LO]! * TWO_M52;
    return Math.ceil((exp - 1023 + ((A * s + B) * s + C) * s) * this.inv);
  }

  /** The value whose relative error to anything in bucket `i` is smallest. */
  value(i: number): number {
    const lo = inverse((i - 1) * this.width);
    const hi = inverse(i * this.width);
    return (2 * lo * hi) / (lo + hi);
  }
}

/** The v with e + P(s) = y (P is increasing on [0, 1]: bisection is plenty at collect time). */
function inverse(y: number): number {
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
