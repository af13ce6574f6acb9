// apptuit-py's own test vectors (its tests/ folder, version 2.4.2), as data: what the
// Python client accepts, refuses and produces, the JS client must too.
import { afterEach, describe, expect, it, vi } from "vitest";
import { Apptuit, ApptuitConfigError, decodeMetric, encodeMetric, parseBooleanEnv, parseTags } from "../../../src/core";
import { sanitizeName } from "../../../src/core/sanitize";
import { VALID_NAME } from "../../../src/core/wire-rules";
import { MetricsRegistry } from "../../../src/registry";

afterEach(() => {
  vi.restoreAllMocks();
});

describe("APPTUIT_TAGS (test_token_and_tags.py)", () => {
  it.each([
    ["tagk1: 22, tagk2: tagv2", { tagk1: "22", tagk2: "tagv2" }],
    ["tagk1: 22, , tagk2: tagv2", { tagk1: "22", tagk2: "tagv2" }],
    ["  tagk1 : 22,,tagk2  : tagv2  ", { tagk1: "22", tagk2: "tagv2" }],
    [",tagk1: 22, tagk2: tagv2,", { tagk1: "22", tagk2: "tagv2" }],
    [", , , , tagk1: 22, tagk2: tagv2, , ,  , ,", { tagk1: "22", tagk2: "tagv2" }],
    ["tagk1: tagv1, tagk2: tagv2, host: myhost", { tagk1: "tagv1", tagk2: "tagv2", host: "myhost" }],
    [" ", {}],
    ["host: host1, ip: 1.1.1.1", { host: "host1", ip: "1.1.1.1" }],
  ])("accepts %j", (text, tags) => {
    expect(parseTags(text)).toEqual(tags);
  });

  it.each([
    '"tagk1": tagv1',
    ":a,",
    "tagk1: tagv11: tagv12",
    "tag",
    "  tagk1 : 22,error,tagk2  : tagv2  ",
    "  tagk1 : 22,tagk1:tagv11:tagv12,tagk2  : tagv2  ",
    "{InvalidTags",
    '"tagk1":"tagv1"',
    "a b: c",
    "ho\\st: x",
  ])("refuses %j", (text) => {
    expect(() => parseTags(text, "APPTUIT_TAGS")).toThrow(ApptuitConfigError);
  });
});

describe("APPTUIT_DISABLE_HOST_TAG (test_utils.py strtobool)", () => {
  it.each(["y", "yes", "t", "true", "on", "1", "True", "TRUE"])("%j is true", (text) => {
    expect(parseBooleanEnv({ V: text }, "V")).toBe(true);
  });
  it.each(["n", "no", "f", "false", "off", "0", "False"])("%j is false", (text) => {
    expect(parseBooleanEnv({ V: text }, "V", true)).toBe(false);
  });
  it.each(["truee", "ffalse", "nno", "01"])("%j is refused", (text) => {
    expect(() => parseBooleanEnv({ V: text }, "V")).toThrow(ApptuitConfigError);
  });
});

describe("deprecated APPTUIT_PY_TOKEN / APPTUIT_PY_TAGS (test_token_and_tags.py)", () => {
  it("are read when the current names are unset or empty, with one deprecation warning each", () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    const client = new Apptuit({ env: { APPTUIT_PY_TOKEN: "old_token", APPTUIT_PY_TAGS: "host: environ, ip: 127.0.0.1" } });
    expect(client.prepare([{ metric: "m", timestamp: 1_700_000_000, value: 1 }])[0]!.tags).toEqual({ host: "environ", ip: "127.0.0.1" });
    new Apptuit({ env: { APPTUIT_API_TOKEN: "", APPTUIT_PY_TOKEN: "old_token", APPTUIT_TAGS: "", APPTUIT_PY_TAGS: "a: b" } });
    const lines = warn.mock.calls.map((c) => String(c[0]));
    expect(lines.filter((l) => l.includes("APPTUIT_PY_TOKEN is deprecated, use APPTUIT_API_TOKEN"))).toHaveLength(1);
    expect(lines.filter((l) => l.includes("APPTUIT_PY_TAGS is deprecated, use APPTUIT_TAGS"))).toHaveLength(1);
    expect(lines.join("\n")).not.toContain("old_token");
  });

  it("lose to the current names", () => {
    const client = new Apptuit({
      env: { APPTUIT_API_TOKEN: "new_token", APPTUIT_PY_TOKEN: "old_token", APPTUIT_TAGS: "a: new", APPTUIT_PY_TAGS: "a: old" },
    });
    expect(client.prepare([{ metric: "m", timestamp: 1_700_000_000, value: 1 }])[0]!.tags).toEqual({ a: "new" });
  });
});

describe("encode_metric / decode_metric (test_timeseries.py)", () => {
  it("encodes as Python's name + json.dumps(tags, sort_keys=True)", () => {
    expect(encodeMetric("test", { tk1: "tv1", tk2: "tv2" })).toBe('test{"tk1": "tv1", "tk2": "tv2"}');
    // Control characters, DEL and non-ASCII \u-escaped as json.dumps does; keys sorted at every level.
    expect(encodeMetric("m", { b: "\u0001\u007f\t", a: "é" })).toBe('m{"a": "\\u00e9", "b": "\\u0001\\u007f\\t"}');
    const nested = { z: { y: 1, x: [true, null, 0.5, 12, -3] } } as unknown as Record<string, string>;
    expect(encodeMetric("m", nested)).toBe('m{"z": {"x": [true, null, 0.5, 12, -3], "y": 1}}');
  });

  it("decodes and strips the name as Python does", () => {
    expect(decodeMetric('test {"tk1":"tv1","tk2":"tv2"}')).toEqual({ name: "test", tags: { tk1: "tv1", tk2: "tv2" } });
    expect(decodeMetric('apr.counter.count{"tk1":"tv1","tk2":"tv2"}')).toEqual({
      name: "apr.counter.count",
      tags: { tk1: "tv1", tk2: "tv2" },
    });
    expect(decodeMetric('counter {"host": "metric", "ip": "3.3.3.3"}').name).toBe("counter");
    expect(decodeMetric("  cpu  ")).toEqual({ name: "cpu", tags: {} });
    expect(decodeMetric('cpu\t{"a":"b"}')).toEqual({ name: "cpu", tags: { a: "b" } });
    expect(() => decodeMetric("cpu {sjd")).toThrow(/Cannot decode/);
  });
});

describe("sanitizers (test_utils.py)", () => {
  it.each([
    ["metric_name tag-key.str", "metric_name_tag-key.str"],
    ["&*)", "_"],
    ["", ""],
    ["abc.abc-abc/abc_abc", "abc.abc-abc/abc_abc"],
    [" ", "_"],
    ["日本語.abc", "日本語.abc"],
    ["abc.日本語", "abc.日本語"],
  ])("apptuit: %j → %j", (name, expected) => {
    expect(sanitizeName(name, "apptuit")).toBe(expected);
  });

  it.each([
    ["metric_name tag-key.str", "metric_name_tag_key_str"],
    ["&*)", "_"],
    ["abc.abc-abc/abc_abc", "abc_abc_abc_abc_abc"],
    [" ", "_"],
    ["日本語.abc", "_abc"],
    ["abc.日本語", "abc_"],
  ])("prometheus: %j → %j", (name, expected) => {
    expect(sanitizeName(name, "prometheus")).toBe(expected);
  });

  it.each([
    ["metric_name tag-key.str", false],
    ["&*)", false],
    ["abc.abc-abc/abc_abc", true],
    [" ", false],
    ["日本語.abc", true],
    ["abc.日本語", true],
  ])("valid characters: %j → %j", (name, valid) => {
    expect(VALID_NAME.test(name)).toBe(valid);
  });
});

describe("sendTimeseries input", () => {
  it("takes a series without `tags`, as one with `tags: undefined`", () => {
    const client = new Apptuit({ token: "t", globalTags: { host: "a" } });
    const series = { metric: "m", timestamps: [1_700_000_000], values: [1] };
    expect(client.prepareTimeseries([series])).toEqual(client.prepareTimeseries([{ ...series, tags: undefined }]));
    expect(client.prepareTimeseries([series])[0]!.tags).toEqual({ host: "a" });
  });
});

describe("encoded names in the registry (test_pyformance_reporter.py)", () => {
  const T = 1_700_000_000;
  /** What the reporter sends for `registry`: prefixed points, reporter tags under the series' own. */
  function send(registry: MetricsRegistry, tags: Record<string, string>, prefix = "") {
    const client = new Apptuit({ token: "t", sanitize: false });
    const points = registry.collect().map((p) => ({ metric: prefix + p.metric, tags: p.tags, timestamp: T, value: p.value }));
    return client.prepare(points, { tags }).sort((a, b) => a.metric.localeCompare(b.metric));
  }

  it('\'counter {"tk1":"tv1","tk2":"tv2"}\' is the counter `counter` with two tags, valid even unsanitized', () => {
    const registry = new MetricsRegistry();
    registry.counter('counter {"tk1":"tv1","tk2":"tv2"}').inc(2);
    const [point] = send(registry, { host: "localhost", region: "us-east-1", service: "web-server" }, "apr.");
    expect(point).toMatchObject({ metric: "apr.counter.count", value: 2 });
    expect(point!.tags).toEqual({ host: "localhost", region: "us-east-1", service: "web-server", tk1: "tv1", tk2: "tv2" });
  });

  it("a series' own tags override the reporter's; numbers in an encoded name become strings", () => {
    const registry = new MetricsRegistry();
    registry.counter('counter1 {"region":"us-west-2","id": 1}').inc(2);
    registry.counter('counter2 {"region":"us-west-3","id": 2, "new_tag": "foo"}').inc();
    registry.counter("counter3").inc();
    expect(send(registry, { region: "us-east-1", host: "h" }).map((p) => p.tags)).toEqual([
      { region: "us-west-2", id: "1", host: "h" },
      { region: "us-west-3", id: "2", new_tag: "foo", host: "h" },
      { region: "us-east-1", host: "h" },
    ]);
  });
});
