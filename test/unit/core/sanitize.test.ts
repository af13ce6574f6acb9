import { describe, expect, it } from "vitest";
import { mergeTags, sanitizeName } from "../../../src/core";
import { checkedSanitizer, createSanitizer } from "../../../src/core/sanitize";

describe("sanitizeName", () => {
  it("prometheus: invalid chars → _, runs collapse, leading digit prefixed", () => {
    expect(sanitizeName("response_time.99_percentile", "prometheus")).toBe("response_time_99_percentile");
    expect(sanitizeName("a..b__c-/d", "prometheus")).toBe("a_b_c_d");
    expect(sanitizeName("9lives", "prometheus")).toBe("_9lives");
    expect(sanitizeName("héllo wörld", "prometheus")).toBe("h_llo_w_rld");
    expect(sanitizeName("__proto__", "prometheus")).toBe("_proto_");
  });

  it("apptuit: keeps Unicode letters/digits and -_./, other runs → one _", () => {
    expect(sanitizeName("héllo wörld", "apptuit")).toBe("héllo_wörld");
    expect(sanitizeName("a.b-c/d_e", "apptuit")).toBe("a.b-c/d_e");
    expect(sanitizeName("a  !!__b", "apptuit")).toBe("a_b");
    expect(sanitizeName("9lives", "apptuit")).toBe("9lives");
    expect(sanitizeName("日本語 メトリクス", "apptuit")).toBe("日本語_メトリクス");
  });

  it("false: leaves names alone", () => {
    expect(sanitizeName("a b!", false)).toBe("a b!");
  });

  it("runs in linear time on adversarial input", () => {
    const evil = `a${"_!".repeat(200_000)}\u0000`;
    for (const mode of ["prometheus", "apptuit"] as const) expect(sanitizeName(evil, mode)).toBe("a_");
  });
});

describe("mergeTags", () => {
  it("later layers win: global < call/reporter < point", () => {
    const merged = mergeTags({ env: "prod", host: "global" }, { host: "reporter", region: "eu" }, { host: "point" });
    expect(merged).toEqual({ env: "prod", host: "point", region: "eu" });
  });

  it("copies __proto__ as an own tag", () => {
    const layer = JSON.parse('{"__proto__": "x"}');
    const merged = mergeTags({ a: "1" }, layer);
    expect(Object.keys(merged)).toEqual(["a", "__proto__"]);
    expect(Object.getPrototypeOf(merged)).toBe(Object.prototype);
  });
});

describe("checkedSanitizer", () => {
  it("gives the sanitized name when it is valid, null when it is not, and calls the sanitizer once per name", () => {
    const calls: string[] = [];
    const base = createSanitizer(false);
    const sanitize = (name: string) => (calls.push(name), base(name));
    const check = checkedSanitizer(sanitize);
    expect(check("ok.name/ü-1")).toBe("ok.name/ü-1");
    expect(check("bad name")).toBeNull();
    expect(check("")).toBeNull();
    expect(check("\uD800")).toBeNull(); // a lone surrogate is not a letter
    expect(checkedSanitizer(sanitize)("bad name")).toBeNull(); // the cache outlives one call
    expect(calls).toEqual(["ok.name/ü-1", "bad name", "", "\uD800"]);
    expect(checkedSanitizer(createSanitizer("prometheus"))("bad name!")).toBe("bad_name_");
  });

  it("stays bounded: a flood of distinct names clears the cache instead of growing it", () => {
    let calls = 0;
    const check = checkedSanitizer((name) => (calls++, name));
    check("first");
    for (let i = 0; i < 50_001; i++) check(`n${i}`);
    const before = calls;
    check("first");
    expect(calls).toBe(before + 1); // evicted, so sanitized again
  });
});
