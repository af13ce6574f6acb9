import { describe, expect, it } from "vitest";
import { ApptuitValidationError, decodeMetric, encodeMetric } from "../../../src/core";

describe("encodeMetric", () => {
  it("writes Python's json.dumps(sort_keys=True) format", () => {
    expect(encodeMetric("node.cpu", { type: "idle" })).toBe('node.cpu{"type": "idle"}');
    expect(encodeMetric("node.cpu", { type: "idle", host: "node-foo", service: "order-service" })).toBe(
      'node.cpu{"host": "node-foo", "service": "order-service", "type": "idle"}',
    );
  });

  it("escapes non-ASCII and quotes as Python's ensure_ascii does", () => {
    expect(encodeMetric("m", { city: "München", q: 'a"b' })).toBe('m{"city": "M\\u00fcnchen", "q": "a\\"b"}');
    expect(encodeMetric("m", { e: "😀" })).toBe('m{"e": "\\ud83d\\ude00"}');
  });

  it("sorts keys by code point like Python, not by UTF-16 unit", () => {
    // U+FF21 sorts before U+1F600 by code point, after it by UTF-16 unit.
    expect(encodeMetric("m", { "😀": "1", Ａ: "2" })).toBe('m{"\\uff21": "2", "\\ud83d\\ude00": "1"}');
  });

  it("returns the bare name without tags", () => {
    expect(encodeMetric("m")).toBe("m");
    expect(encodeMetric("m", {})).toBe("m");
  });
});

describe("decodeMetric", () => {
  it("decodes the Python format and compact JSON", () => {
    expect(decodeMetric('node.cpu{"type": "idle"}')).toEqual({ name: "node.cpu", tags: { type: "idle" } });
    expect(decodeMetric('node.cpu{"host":"a","type":"idle"}')).toEqual({ name: "node.cpu", tags: { host: "a", type: "idle" } });
    expect(decodeMetric("plain.name")).toEqual({ name: "plain.name", tags: {} });
    expect(decodeMetric('m{"city": "M\\u00fcnchen"}').tags.city).toBe("München");
  });

  it("round-trips", () => {
    const tags = { zone: "eu-1", host: "h/1", "x.y": "ü ✓ 😀", __proto__x: "p" };
    const decoded = decodeMetric(encodeMetric("a.b-c/d", tags));
    expect(decoded).toEqual({ name: "a.b-c/d", tags });
    expect(encodeMetric(decoded.name, decoded.tags)).toBe(encodeMetric("a.b-c/d", tags));
  });

  it("keeps __proto__ and constructor as plain tags without touching prototypes", () => {
    const { tags } = decodeMetric('m{"__proto__": "x", "constructor": "y", "polluted": "z"}');
    expect(Object.getPrototypeOf(tags)).toBe(Object.prototype);
    expect(Object.keys(tags).sort()).toEqual(["__proto__", "constructor", "polluted"]);
    expect(Object.getOwnPropertyDescriptor(tags, "__proto__")?.value).toBe("x");
    expect(tags.constructor).toBe("y");
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    // and they survive a round trip
    expect(encodeMetric("m", tags)).toBe('m{"__proto__": "x", "constructor": "y", "polluted": "z"}');
  });

  it("refuses a malformed tag part with a validation error", () => {
    expect(() => decodeMetric("m{not json")).toThrow(ApptuitValidationError);
    expect(() => decodeMetric('m{"a": "b"}junk')).toThrow(/JSON object/);
    expect(decodeMetric('m["a"]')).toEqual({ name: 'm["a"]', tags: {} });
    expect(() => decodeMetric('m{"a": {"b": 1}}')).toThrow(/tag "a" must have a string value/);
  });
});
