import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { KeepaliveQuota, utf8Length } from "../../../src/platforms/browser/quota";

describe("utf8Length", () => {
  it("equals TextEncoder's byte count for any string, lone surrogates included", () => {
    const encoder = new TextEncoder();
    fc.assert(fc.property(fc.string({ unit: "binary" }), (s) => utf8Length(s) === encoder.encode(s).byteLength));
    expect(utf8Length("é€😀")).toBe(2 + 3 + 4);
  });
});

describe("KeepaliveQuota", () => {
  it("books bytes until released, never beyond the limit", () => {
    const quota = new KeepaliveQuota(100);
    expect(quota.tryReserve(60)).toBe(true);
    expect(quota.tryReserve(41)).toBe(false);
    expect(quota.available).toBe(40);
    quota.release(60);
    expect(quota.tryReserve(100)).toBe(true);
    expect(quota.available).toBe(0);
  });

  it("holds a beacon's bytes until its timer fires", () => {
    const timers: (() => void)[] = [];
    const quota = new KeepaliveQuota(100, (fn) => timers.push(fn));
    quota.hold(70);
    expect(quota.available).toBe(30);
    timers[0]!();
    expect(quota.available).toBe(100);
  });
});
