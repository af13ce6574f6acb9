// The one body cutter that the relay's splitCompact, the page-hide flush and the relay sender share.
import { describe, expect, it } from "vitest";
import { type BodyWriter, cutBody } from "../../../src/core/body-cutter";

/** A writer of numbers, each `n` bytes; `-1` is a point it cannot carry (it throws). */
function sizes(): BodyWriter<number> & { taken: number[] } {
  const taken: number[] = [];
  let bytes = 0;
  return {
    taken,
    get count() {
      return taken.length;
    },
    get bytes() {
      return bytes;
    },
    tryAdd(n, maxBytes) {
      if (n < 0) throw new Error("cannot carry it");
      if (bytes + n > maxBytes) return false;
      bytes += n;
      taken.push(n);
      return true;
    },
    finish: () => taken.join(","),
  };
}

describe("cutBody", () => {
  it("takes points in order while they fit, and stops at the first one that does not fit a body holding some", () => {
    const w = sizes();
    expect(cutBody([3, 3, 3, 1], 0, 4, 7, w)).toBe(2);
    expect(w.taken).toEqual([3, 3]);
    const next = sizes();
    expect(cutBody([3, 3, 3, 1], 2, 4, 7, next)).toBe(4);
    expect(next.taken).toEqual([3, 1]);
  });

  it("stops at `to`, and one writer goes on across slices", () => {
    const w = sizes();
    expect(cutBody([1, 1, 1, 1, 1], 0, 2, 100, w)).toBe(2);
    expect(cutBody([1, 1, 1, 1, 1], 2, 5, 100, w)).toBe(5);
    expect(w.count).toBe(5);
  });

  it("with refuse: skips a point the writer throws on or too large alone, naming it", () => {
    const w = sizes();
    const refused: [number, string][] = [];
    expect(cutBody([9, -1, 2, 9, 2], 0, 5, 5, w, (i, reason) => refused.push([i, reason]))).toBe(3);
    expect(w.taken).toEqual([2]);
    expect(refused).toEqual([
      [0, "the point alone does not fit in 5 bytes"],
      [1, "cannot carry it"],
    ]);
  });

  it("without refuse: a throw propagates and a point too large alone leaves the writer empty", () => {
    expect(() => cutBody([1, -1], 0, 2, 5, sizes())).toThrow("cannot carry it");
    const w = sizes();
    expect(cutBody([9, 1], 0, 2, 5, w)).toBe(0);
    expect(w.count).toBe(0);
  });
});
