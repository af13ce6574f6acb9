// Bad-input catalogue across client, registry, reporter, relay and environment parsing:
// each bad input gives a typed error naming the problem, and nothing else is lost.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Apptuit } from "../../src/core/client";
import { parseTags, readDisableHostTag } from "../../src/core/env";
import { ApptuitConfigError } from "../../src/core/errors/config-error";
import { ApptuitResponseError } from "../../src/core/errors/response-error";
import { ApptuitValidationError } from "../../src/core/errors/validation-error";
import type { Collectable, CollectedPoint, DataPoint } from "../../src/core/types";
import { MetricsRegistry } from "../../src/registry";
import { MetricKindError } from "../../src/registry/errors/metric-kind-error";
import { ApptuitReporter } from "../../src/reporter";
import { createRelay } from "../../src/relay";
import { CompactFormatError } from "../../src/relay/errors/compact-format-error";
import { decodeCompact, encodeCompact } from "../../src/relay/compact-format";
import { FaultServer } from "./fault-server";
import { Ledger, TOKEN } from "./support";

let server: FaultServer;
beforeAll(async () => {
  server = await FaultServer.start();
});
afterAll(async () => {
  await server.close();
});

// Ten minutes ago: within the relay's accepted timestamps (an hour back, ten minutes ahead).
const T = Math.floor(Date.now() / 1000) - 600;
const good = (i: number): DataPoint => ({ metric: "good.metric", tags: { i: String(i) }, timestamp: T + i, value: i });
const client = (options: ConstructorParameters<typeof Apptuit>[0] = {}) =>
  new Apptuit({ token: TOKEN, endpoint: server.url, retry: 0, ...options });
const manyTags = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, "v"]));

/** Calls `fn`, expects it to throw `type`, returns the error. */
function thrown<E extends Error>(fn: () => unknown, type: new (...args: never[]) => E): E {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(type);
    return error as E;
  }
  throw new Error("expected a throw");
}

describe("client: bad points are refused before any request, naming the point and the rule", () => {
  const cases: [string, unknown, RegExp][] = [
    ["NaN value", { metric: "m", tags: { a: "b" }, timestamp: T, value: Number.NaN }, /finite number/],
    ["+Infinity value", { metric: "m", tags: { a: "b" }, timestamp: T, value: Infinity }, /finite number/],
    ["-Infinity value", { metric: "m", tags: { a: "b" }, timestamp: T, value: -Infinity }, /finite number/],
    ["string value", { metric: "m", tags: { a: "b" }, timestamp: T, value: "1" }, /finite number/],
    ["bigint value", { metric: "m", tags: { a: "b" }, timestamp: T, value: 1n }, /finite number/],
    ["empty metric name", { metric: "", tags: { a: "b" }, timestamp: T, value: 1 }, /metric must not be empty/],
    ["non-string metric", { metric: 42, tags: { a: "b" }, timestamp: T, value: 1 }, /metric must be a string/],
    ["26 tags", { metric: "m", tags: manyTags(26), timestamp: T, value: 1 }, /at most 25 tags.*26/],
    ["number tag value", { metric: "m", tags: { a: 1 }, timestamp: T, value: 1 }, /tag "a" must have a non-empty string value/],
    ["null tag value", { metric: "m", tags: { a: null }, timestamp: T, value: 1 }, /tag "a" must have a non-empty string value/],
    ["object tag value", { metric: "m", tags: { a: {} }, timestamp: T, value: 1 }, /tag "a" must have a non-empty string value/],
    ["empty tag value", { metric: "m", tags: { a: "" }, timestamp: T, value: 1 }, /tag "a" must have a non-empty string value/],
    [
      "over-long metric name",
      { metric: "m".repeat(1_025), tags: { a: "b" }, timestamp: T, value: 1 },
      /metric name is 1025 characters long \(at most 1024\)/,
    ],
    [
      "over-long tag key",
      { metric: "m", tags: { ["k".repeat(5_000)]: "b" }, timestamp: T, value: 1 },
      /tag key is 5000 characters long \(at most 1024\)/,
    ],
    [
      "over-long tag value",
      { metric: "m", tags: { url: "v".repeat(100_000) }, timestamp: T, value: 1 },
      /tag "url" has a value 100000 characters long \(at most 1024\)/,
    ],
    ["array as tags", { metric: "m", tags: ["a"], timestamp: T, value: 1 }, /tags must be an object/],
    ["negative timestamp", { metric: "m", tags: { a: "b" }, timestamp: -1, value: 1 }, /timestamp must not be negative/],
    ["NaN timestamp", { metric: "m", tags: { a: "b" }, timestamp: Number.NaN, value: 1 }, /timestamp must be a finite number/],
    ["Infinity timestamp", { metric: "m", tags: { a: "b" }, timestamp: Infinity, value: 1 }, /timestamp must be a finite number/],
    ["millisecond timestamp", { metric: "m", tags: { a: "b" }, timestamp: Date.now(), value: 1 }, /looks like milliseconds/],
    ["year 3e5 timestamp", { metric: "m", tags: { a: "b" }, timestamp: 1e13, value: 1 }, /looks like milliseconds/],
    ["invalid Date", { metric: "m", tags: { a: "b" }, timestamp: new Date("nope"), value: 1 }, /invalid Dates are refused/],
    [
      "string timestamp",
      { metric: "m", tags: { a: "b" }, timestamp: "2024-01-01", value: 1 },
      /timestamp must be a number of Unix epoch seconds or a Date/,
    ],
    ["no tags at all", { metric: "m", timestamp: T, value: 1 }, /at least one tag/],
    ["not an object", "m 1 2", /a datapoint must be an object/],
  ];
  it.each(cases)("%s", async (_, bad, rule) => {
    const c = client();
    const before = server.requests.length;
    const error = await c.send([good(0), good(1), bad as DataPoint, good(3)]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApptuitValidationError);
    const e = error as ApptuitValidationError;
    expect(e.index).toBe(2);
    expect(e.message).toContain("datapoint #2");
    expect(e.message).toMatch(rule);
    expect(e.rule).toMatch(rule);
    expect(e.undelivered).toEqual([]);
    expect(server.requests.length).toBe(before); // refused before any request
  });

  it("invalid characters with sanitize off: names the metric or tag key and the allowed set", () => {
    const c = client({ sanitize: false });
    const name = thrown(() => c.prepare([{ metric: "cpu load%", tags: { a: "b" }, timestamp: T, value: 1 }]), ApptuitValidationError);
    expect(name.message).toContain('metric name "cpu load%" may only contain Unicode letters, digits, -, _, . and /');
    const key = thrown(() => c.prepare([{ metric: "cpu", tags: { "bad key": "b" }, timestamp: T, value: 1 }]), ApptuitValidationError);
    expect(key.message).toContain('tag key "bad key"');
  });

  it("26 tags only after merging (25 on the point + 1 global): refused, naming the merged count", () => {
    const c = client({ globalTags: { env: "prod" } });
    const e = thrown(() => c.prepare([{ metric: "m", tags: manyTags(25), timestamp: T, value: 1 }]), ApptuitValidationError);
    expect(e.message).toMatch(/after merging; this one has 26/);
  });

  it("huge finite numbers are valid (Number.MAX_VALUE, -MAX_VALUE, 1e308, 5e-324) and arrive bit-exact", async () => {
    const values = [Number.MAX_VALUE, -Number.MAX_VALUE, 1e308, 5e-324, -0, Number.MIN_SAFE_INTEGER];
    const c = client();
    const before = server.stored.length;
    await c.send(values.map((value, i) => ({ metric: "huge", tags: { i: String(i) }, timestamp: T, value })));
    const got = server.stored.slice(before).map((r) => r.value);
    // JSON has no -0: it arrives as 0.
    expect(got).toEqual([Number.MAX_VALUE, -Number.MAX_VALUE, 1e308, 5e-324, 0, Number.MIN_SAFE_INTEGER]);
  });

  it("names and tags up to 1,024 characters arrive whole, never truncated or mangled; longer global tags are a config error", async () => {
    const long = `a${"b".repeat(1_022)}z`;
    const c = client({ sanitize: false });
    const before = server.stored.length;
    await c.send([{ metric: long, tags: { [long]: long }, timestamp: T, value: 1 }]);
    const row = server.stored[before]!;
    expect(row.metric).toBe(long);
    expect(row.tags[long]).toBe(long);
    const error = thrown(() => client({ globalTags: { stack: "x".repeat(2_000) } }), ApptuitConfigError);
    expect(error.message).toMatch(/globalTags: tag "stack" is longer than 1024 characters/);
    expect(() => client({ globalTags: undefined, env: { APPTUIT_TAGS: `k:${"x".repeat(1_025)}` } })).toThrow(
      /APPTUIT_TAGS: tag "k" is longer than 1024/,
    );
  });

  it("__proto__ and constructor tag keys stay inert own keys; nothing reaches Object.prototype", async () => {
    const tags = JSON.parse('{"__proto__": "p", "constructor": "c", "toString": "t"}') as Record<string, string>;
    const c = client({ sanitize: false });
    const [wire] = c.prepare([{ metric: "m", tags, timestamp: T, value: 1 }]);
    expect(Object.keys(wire!.tags).sort()).toEqual(["__proto__", "constructor", "toString"]);
    expect(Object.getPrototypeOf(wire!.tags)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).p).toBeUndefined();
    const before = server.stored.length;
    await c.send([{ metric: "m", tags, timestamp: T, value: 1 }]);
    expect(Object.keys(server.stored[before]!.tags).sort()).toEqual(["__proto__", "constructor", "toString"]);
    // The default sanitizer rewrites the key instead: "__proto__" → "_proto_".
    expect(Object.keys(client().prepare([{ metric: "m", tags, timestamp: T, value: 1 }])[0]!.tags)).toContain("_proto_");
  });

  it("sendTimeseries: mismatched arrays and bad points name the series and the point", () => {
    const c = client();
    const mismatch = thrown(
      () => c.prepareTimeseries([{ metric: "m", tags: { a: "b" }, timestamps: [T, T + 1], values: [1] }]),
      ApptuitValidationError,
    );
    expect(mismatch.message).toMatch(/series #0.*same length/);
    const nan = thrown(
      () =>
        c.prepareTimeseries([
          { metric: "ok", tags: { a: "b" }, timestamps: [T], values: [1] },
          { metric: "m", tags: { a: "b" }, timestamps: [T, T + 1], values: [1, Number.NaN] },
        ]),
      ApptuitValidationError,
    );
    expect(nan.seriesIndex).toBe(1);
    expect(nan.index).toBe(1);
    expect(nan.message).toMatch(/series #1.*point #1.*finite number/);
  });

  it("absurd query times are refused before any request", async () => {
    const c = client();
    for (const start of [Number.NaN, -5, Date.now(), new Date("x")]) {
      const error = await c.query("fetch('m')", { start: start as number }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ApptuitValidationError);
      expect((error as Error).message).toMatch(/^Invalid query start: start /);
    }
  });
});

describe("malformed query responses (fault server): ApptuitResponseError naming the path", () => {
  const nested = `${"[".repeat(100_000)}${"]".repeat(100_000)}`;
  const cases: [string, string, string, RegExp][] = [
    ["not JSON", "<html>oops</html>", "", /the body is not JSON/],
    ["truncated JSON", '{"outputs": [{"id": "a", "result": [', "", /the body is not JSON/],
    ["empty body", "", "", /the body is not JSON/],
    ["no outputs", "{}", "outputs", /at outputs/],
    ["outputs not an array", '{"outputs": 3}', "outputs", /at outputs/],
    [
      "dps value a string",
      '{"outputs":[{"id":"a","result":[{"metric":"m","tags":{},"dps":[[1,"x"]]}]}]}',
      "outputs.0.result.0.dps.0.1",
      /outputs\.0\.result\.0\.dps\.0\.1/,
    ],
    [
      "dps entry too short",
      '{"outputs":[{"id":"a","result":[{"metric":"m","tags":{},"dps":[[1]]}]}]}',
      "outputs.0.result.0.dps.0.1",
      /dps\.0\.1/,
    ],
    [
      "numeric tag value",
      '{"outputs":[{"id":"a","result":[{"metric":"m","tags":{"h":1},"dps":[]}]}]}',
      "outputs.0.result.0.tags.h",
      /tags\.h/,
    ],
    // JSON.parse copes; the schema refuses the top-level array without recursing into it.
    ["100k-deep nesting", nested, "outputs", /at outputs/],
  ];
  it.each(cases)("%s", async (_, body, path, message) => {
    server.queryReply = { status: 200, body };
    const error = await client()
      .query("fetch('m')", { start: T })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApptuitResponseError);
    expect((error as ApptuitResponseError).path).toBe(path);
    expect((error as Error).message).toMatch(message);
    expect((error as Error).message).toContain("/api/query");
  });

  it("__proto__ in response tags does not pollute, and is kept as a tag", async () => {
    server.queryReply = {
      status: 200,
      body: '{"outputs":[{"id":"a","result":[{"metric":"m","tags":{"__proto__":"x","constructor":"y"},"dps":[[1700000000,1]]}]}]}',
    };
    const result = await client().query("fetch('m')", { start: T - 10 });
    const tags = result.at(0)!.series[0]!.tags;
    expect(Object.keys(tags).sort()).toEqual(["__proto__", "constructor"]);
    expect(({} as Record<string, unknown>).x).toBeUndefined();
  });

  it("PromQL: a non-numeric sample and a 200 carrying status:error are typed errors", async () => {
    server.queryReply = {
      status: 200,
      body: '{"status":"success","data":{"resultType":"matrix","result":[{"metric":{},"values":[[1,"abc"]]}]}}',
    };
    const bad = await client()
      .promQuery("up", { start: T, end: T + 60, step: 15 })
      .catch((e: unknown) => e);
    expect(bad).toBeInstanceOf(ApptuitResponseError);
    expect((bad as Error).message).toContain('expected a numeric sample value, got "abc"');
    server.queryReply = { status: 200, body: '{"status":"error","errorType":"bad_data","error":"parse error at char 3"}' };
    const err = await client()
      .promQuery("up(", { start: T, end: T + 60, step: 15 })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApptuitResponseError);
    expect((err as ApptuitResponseError).errorType).toBe("bad_data");
    expect((err as Error).message).toContain("parse error at char 3");
  });
});

describe("environment parsing", () => {
  it.each(["a", "a:", ":b", "host=web1", "k1: v1, oops", " : "])(
    "APPTUIT_TAGS %j → ApptuitConfigError naming the variable and the form",
    (text) => {
      const e = thrown(() => parseTags(text, "APPTUIT_TAGS"), ApptuitConfigError);
      expect(e.message).toMatch(/^APPTUIT_TAGS: ".*" is not a "key: value" pair; expected the form "k1: v1, k2: v2"$/);
      const viaClient = thrown(() => new Apptuit({ env: { APPTUIT_API_TOKEN: TOKEN, APPTUIT_TAGS: text } }), ApptuitConfigError);
      expect(viaClient.message).toContain("APPTUIT_TAGS");
      expect(viaClient.message).not.toContain(TOKEN);
    },
  );

  it("APPTUIT_TAGS with __proto__/constructor keys: own keys, no pollution", () => {
    const tags = parseTags("__proto__: x, constructor: y, a: b", "APPTUIT_TAGS");
    expect(Object.keys(tags)).toEqual(["__proto__", "constructor", "a"]);
    expect(tags.a).toBe("b");
    expect(({} as Record<string, unknown>).x).toBeUndefined();
    // A second colon is refused, as apptuit-py refuses it.
    expect(() => parseTags("a: b:c", "APPTUIT_TAGS")).toThrow(/"a: b:c" is not a "key: value" pair/);
  });

  it("APPTUIT_DISABLE_HOST_TAG not a boolean → names the variable and the accepted values", () => {
    const e = thrown(() => readDisableHostTag({ APPTUIT_DISABLE_HOST_TAG: "maybe" }), ApptuitConfigError);
    expect(e.message).toContain("APPTUIT_DISABLE_HOST_TAG");
    expect(e.message).toContain("1/0, true/false, yes/no, on/off");
  });

  it("a token with a newline or space, a non-http endpoint: config errors that never echo the token", () => {
    for (const token of [`${TOKEN}\n`, `a ${TOKEN}`]) {
      const e = thrown(() => new Apptuit({ token }), ApptuitConfigError);
      expect(e.message).not.toContain(TOKEN);
    }
    expect(thrown(() => new Apptuit({ token: TOKEN, endpoint: "ftp://x" }), ApptuitConfigError).message).toContain(
      "endpoint must be an http(s) URL",
    );
    expect(
      thrown(() => new Apptuit({ env: { APPTUIT_API_TOKEN: TOKEN, APPTUIT_ENDPOINT: "not a url" } }), ApptuitConfigError).message,
    ).toContain("not an absolute URL");
  });
});

describe("registry", () => {
  it("one kind per name: in strict mode, MetricKindError names the metric and both kinds", () => {
    const r = new MetricsRegistry({ strict: true });
    r.counter("orders");
    const e = thrown(() => r.timer("orders"), MetricKindError);
    expect(e.message).toContain('"orders"');
    expect(e.message).toMatch(/counter.*timer/);
  });

  it("a name whose brace part is not a JSON object of tags is a plain name, even in strict mode; __proto__ in an encoded one is inert", () => {
    const r = new MetricsRegistry({ strict: true });
    r.counter('orders{"city": ').inc(2);
    expect(r.collect().map((p) => [p.metric, p.value])).toEqual([['orders{"city":.count', 2]]);
    r.counter('orders{"__proto__": "x"}').inc();
    expect(({} as Record<string, unknown>).x).toBeUndefined();
    expect(r.collect()[1]!.tags).toEqual(JSON.parse('{"__proto__": "x"}'));
  });

  it("in strict mode, a series the write API could never accept is refused at creation with ApptuitValidationError; the rest is untouched", () => {
    const r = new MetricsRegistry({ strict: true });
    r.counter("kept", { a: "1" }).inc(5);
    const cases: [() => unknown, RegExp][] = [
      [() => r.counter("wide", manyTags(26)), /Invalid series "wide": at most 25 tags per series; this one has 26/],
      [() => r.counter(""), /metric name must be a non-empty string/],
      [() => r.meter("x".repeat(1_025)), /metric name is 1025 characters long \(at most 1024\)/],
      [() => r.timer("t", { route: "" }), /tag "route" has an empty value/],
      [() => r.histogram("h", { stack: "s".repeat(5_000) }), /tag "stack" has a value 5000 characters long/],
      [() => r.counter("kept", { a: "2", "": "v" }), /a tag key is empty/],
      [() => r.gauge("g", { ["k".repeat(2_000)]: "v" }, () => 1), /tag key "k+"… is 2000 characters long/],
    ];
    for (const [create, rule] of cases) {
      const error = thrown(create, ApptuitValidationError);
      expect(error.message).toMatch(rule);
      expect(error.index).toBe(-1);
    }
    // Nothing was created, nothing else lost: one series, its count intact, the name usable.
    r.counter("wide", manyTags(25)).inc();
    expect(r.collect().map((p) => [p.metric, p.value])).toEqual([
      ["kept.count", 5],
      ["wide.count", 1],
    ]);
  });

  it("NaN, ±Infinity and non-numbers are ignored by counters, meters and histograms, not poisoning them", () => {
    const r = new MetricsRegistry();
    const c = r.counter("c");
    const m = r.meter("m");
    const h = r.histogram("h");
    for (const bad of [Number.NaN, Infinity, -Infinity, "5" as unknown as number]) {
      c.inc(bad);
      c.dec(bad);
      m.mark(bad);
      h.update(bad);
    }
    c.inc(2);
    m.mark(3);
    h.update(7);
    expect(c.count).toBe(2);
    expect(m.count).toBe(3);
    expect(Number.isFinite(m.meanRate())).toBe(true);
    const points = new Map(r.collect().map((p) => [p.metric, p.value]));
    expect(points.get("c.count")).toBe(2);
    expect(points.get("m.count")).toBe(3);
    expect(points.get("h.count")).toBe(1);
    expect(points.get("h.avg")).toBe(7);
    expect(points.get("h.max")).toBeCloseTo(7, 0);
  });
});

describe("reporter: one bad point in a batch costs only itself", () => {
  it("NaN, 26 tags, an empty name and a bad tag key are each rejected with a typed error; every other point is delivered", async () => {
    const registry = new MetricsRegistry();
    for (let i = 0; i < 20; i++) registry.counter("fine", { i: String(i) }).inc(i);
    const extras: CollectedPoint[] = [
      // The registry refuses such a series at creation; another Collectable may still produce one.
      { metric: "wide.count", tags: manyTags(26), value: 1 },
      { metric: "nan.gauge", tags: { a: "b" }, value: Number.NaN },
      { metric: "", tags: { a: "b" }, value: 1 },
      { metric: "badkey", tags: { "k y": "v" }, value: 1 },
    ];
    const source: Collectable = { collect: (o) => [...registry.collect(o), ...extras] };
    const ledger = new Ledger();
    const reporter = new ApptuitReporter({
      registry: source,
      client: client({ sanitize: false }),
      onError: ledger.handler,
      tags: { host: "h" },
    });
    const before = server.stored.length;
    const result = await reporter.flush();
    expect(result.rejected).toBe(4);
    expect(result.delivered).toBe(result.recorded - 4);
    expect(server.stored.length - before).toBe(result.delivered);
    expect(server.stored.slice(before).filter((r) => r.metric === "fine.count")).toHaveLength(20);
    const errors = ledger.errors();
    expect(errors).toHaveLength(4);
    expect(errors.every((e) => e instanceof ApptuitValidationError)).toBe(true);
    const messages = errors.map((e) => (e as Error).message).join("\n");
    expect(messages).toMatch(/"wide\.count".*at most 25 tags/);
    expect(messages).toMatch(/"nan\.gauge".*finite number/);
    expect(messages).toMatch(/metric must not be empty/);
    expect(messages).toMatch(/tag key "k y"/);
    const s = reporter.stats();
    expect(s.recorded).toBe(s.delivered + s.rejected);
    expect(ledger.rejected).toBe(s.rejected);
  });

  it("bad options → ApptuitConfigError naming each option", () => {
    const registry = new MetricsRegistry();
    const e = thrown(
      () =>
        new ApptuitReporter({
          registry,
          client: client(),
          interval: 0,
          // Moved to the client (maxPointsPerRequest): named, not silently ignored.
          ...({ batchSize: 0 } as object),
          temporality: "sometimes" as "delta",
          tags: { a: 1 as unknown as string },
        }),
      ApptuitConfigError,
    );
    for (const option of ["interval", "batchSize", "temporality", "tags"]) expect(e.message).toContain(option);
  });
});

describe("relay: bad bodies are answered 4xx with {error, path}, and nothing is forwarded", () => {
  const relay = () => createRelay({ token: TOKEN, endpoint: server.url, rateLimit: false, onError: null });
  const post = (body: string, type = "application/json") =>
    relay()(new Request("http://relay.test/apptuit", { method: "POST", headers: { "content-type": type }, body }));
  const row = (extra: Record<string, unknown>) =>
    JSON.stringify([{ metric: "page.lcp", timestamp: T, value: 1, tags: { a: "b" }, ...extra }]);
  const cases: [string, string, number, RegExp, string | undefined][] = [
    ["malformed JSON", "[{", 400, /invalid JSON/, undefined],
    [
      "value 1e999 (Infinity after JSON.parse)",
      // biome-ignore lint/correctness/noPrecisionLoss: the overflow to Infinity is what this row sends
      row({ value: 1e999 }).replace("Infinity", "1e999").replace("null", "1e999"),
      400,
      /finite number/,
      "[0].value",
    ],
    ["string value", row({ value: "1" }), 400, /finite number/, "[0].value"],
    ["negative timestamp", row({ timestamp: -1 }), 400, /invalid point/, "[0].timestamp"],
    ["empty metric", row({ metric: "" }), 400, /non-empty/, "[0].metric"],
    ["1025-char metric", row({ metric: "m".repeat(1025) }), 400, /invalid point/, "[0].metric"],
    ["26 tags", row({ tags: manyTags(26) }), 400, /at most 25 tags/, "[0].tags"],
    ["number tag value", row({ tags: { a: 1 } }), 400, /invalid point/, "[0].tags.a"],
    [
      "__proto__ tag key",
      '[{"metric":"m","timestamp":1700000000,"value":1,"tags":{"__proto__":"x"}}]',
      400,
      /forbidden tag key/,
      "[0].tags",
    ],
    [
      "compact: string index out of range",
      '{"v":1,"t0":1700000000,"k":["m"],"s":[[0,5,6]],"p":[[0,0,1]]}',
      400,
      /string index out of range/,
      "s[0][1]",
    ],
    [
      "compact: constructor key",
      '{"v":1,"t0":1700000000,"k":["m","constructor","x"],"s":[[0,1,2]],"p":[[0,0,1]]}',
      400,
      /forbidden tag key/,
      "s[0][1]",
    ],
  ];
  it.each(cases)("%s", async (_, body, status, message, path) => {
    const before = server.requests.length;
    const response = await post(body);
    expect(response.status).toBe(status);
    const json = (await response.json()) as { error: string; path?: string };
    expect(json.error).toMatch(message);
    expect(json.path).toBe(path);
    expect(server.requests.length).toBe(before);
  });
});

describe("compact codec: typed CompactFormatError naming the part", () => {
  it("encode refuses what could not be sent; decode refuses hostile payloads", () => {
    const enc = (p: unknown) => thrown(() => encodeCompact([p as DataPoint]), CompactFormatError);
    expect(enc({ metric: "m", tags: { a: "b" }, timestamp: T, value: Number.NaN }).path).toBe("[0].value");
    expect(enc({ metric: "", tags: { a: "b" }, timestamp: T, value: 1 }).path).toBe("[0].metric");
    expect(enc({ metric: "m", tags: JSON.parse('{"__proto__":"x"}'), timestamp: T, value: 1 }).message).toContain("forbidden tag key");
    expect(enc({ metric: "m", tags: { a: "b" }, timestamp: -1, value: 1 }).path).toBe("[0].timestamp");
    const dec = (p: unknown) => thrown(() => decodeCompact(p), CompactFormatError);
    expect(dec("{").message).toContain("invalid JSON");
    expect(dec({ v: 3, t0: 0, k: [], s: [], p: [] }).message).toContain("unsupported compact format version");
    expect(dec({ v: 1, t0: 0, k: ["x".repeat(1025)], s: [], p: [] }).path).toBe("k[0]");
    expect(dec({ v: 1, t0: 1e300, k: ["m"], s: [[0]], p: [[0, 0, 1]] }).path).toBe("t0");
    expect(dec({ v: 1, t0: T, k: ["m"], s: [[0]], p: [[0, 0, 1, 2]] }).message).toContain("series index out of range");
    expect(dec({ v: 1, t0: T, k: ["m", "constructor", "x"], s: [[0, 1, 2]], p: [[0, 0, 1]] }).message).toContain("forbidden tag key");
    // A well-formed payload decodes to exactly its points.
    expect(decodeCompact({ v: 1, t0: T, k: ["m", "a", "b"], s: [[0, 1, 2]], p: [[0, 0, 1.5]] })).toEqual([
      { metric: "m", timestamp: T, value: 1.5, tags: { a: "b" } },
    ]);
  });
});
