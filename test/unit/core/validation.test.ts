import { http, HttpResponse } from "msw";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { ApptuitValidationError, type DataPoint } from "../../../src/core";
import { BASE, caught, catchError, catchSync, client, expectNoToken, server } from "./helpers";

let requests = 0;
beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterEach(() => {
  server.resetHandlers();
  requests = 0;
});
afterAll(() => {
  server.close();
  expectNoToken(caught);
});

function countRequests() {
  server.use(
    http.post(`${BASE}/api/put`, () => {
      requests++;
      return new HttpResponse(null, { status: 204 });
    }),
  );
}

const good: DataPoint = { metric: "m", tags: { host: "a" }, timestamp: 1_700_000_000, value: 1 };
const manyTags = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, "v"]));

const cases: [string, Record<string, unknown>, RegExp, object?][] = [
  ["NaN value", { value: Number.NaN }, /finite number/],
  ["+Infinity value", { value: Number.POSITIVE_INFINITY }, /finite number/],
  ["-Infinity value", { value: Number.NEGATIVE_INFINITY }, /finite number/],
  ["string value", { value: "1" }, /finite number/],
  ["bad metric name (sanitize off)", { metric: "bad name!" }, /metric name "bad name!" may only contain/, { sanitize: false }],
  ["bad tag key (sanitize off)", { tags: { "bad key": "v" } }, /tag key "bad key" may only contain/, { sanitize: false }],
  ["empty metric", { metric: "" }, /metric must not be empty/],
  ["non-string metric", { metric: 5 }, /metric must be a string/],
  ["26 tags", { tags: manyTags(26) }, /at most 25 tags.*26/],
  ["no tags at all", { tags: undefined }, /at least one tag/],
  ["millisecond timestamp", { timestamp: 1_700_000_000_000 }, /looks like milliseconds: pass Unix epoch seconds/],
  ["negative timestamp", { timestamp: -1 }, /must not be negative/],
  ["NaN timestamp", { timestamp: Number.NaN }, /finite number of seconds/],
  ["invalid Date", { timestamp: new Date("nope") }, /finite number of seconds/],
  ["string timestamp", { timestamp: "1700000000" }, /number of Unix epoch seconds or a Date/],
  ["empty tag value", { tags: { host: "" } }, /tag "host" must have a non-empty string value/],
  ["non-string tag value", { tags: { port: 8080 } }, /tag "port" must have a non-empty string value/],
];

describe("validation happens before any request", () => {
  it.each(cases)("%s → ApptuitValidationError naming point and rule, no request", async (_, patch, rule, options) => {
    countRequests();
    const bad = { ...good, ...patch, metric: "metric" in patch ? patch.metric : "my.metric" };
    const error = await catchError(client(options ?? {}).send([good, good, bad as DataPoint]));
    expect(error).toBeInstanceOf(ApptuitValidationError);
    expect(error.name).toBe("ApptuitValidationError");
    expect(error.index).toBe(2);
    expect(error.point).toBe(bad);
    expect(error.rule).toMatch(rule);
    expect(error.message).toContain("datapoint #2");
    expect(error.message).toMatch(rule);
    expect(error.undelivered).toEqual([]);
    expect(requests).toBe(0);
  });

  it("25 tags after merging pass, 26 after merging fail", () => {
    const c = client({ globalTags: manyTags(20) });
    expect(c.prepare([{ ...good, tags: { a: "1", b: "2", c: "3", d: "4", k0: "x" } }])[0]!.tags).toHaveProperty("d", "4");
    const error = catchSync(() => c.prepare([{ ...good, tags: { a: "1", b: "2", c: "3", d: "4", e: "5", f: "6" } }]));
    expect(error.rule).toMatch(/26/);
  });

  it("tags from globalTags alone satisfy the one-tag rule", () => {
    expect(client({ globalTags: { app: "x" } }).prepare([{ metric: "m", timestamp: 1_700_000_000, value: 1 }])).toHaveLength(1);
  });

  it("a non-array or non-object input is refused", async () => {
    countRequests();
    expect(await catchError(client().send("x" as never))).toBeInstanceOf(ApptuitValidationError);
    const error = await catchError(client().send([null as never]));
    expect(error.index).toBe(0);
    expect(requests).toBe(0);
  });

  it("sendTimeseries names the series and the point", async () => {
    countRequests();
    const c = client();
    const error = await catchError(
      c.sendTimeseries([
        { metric: "s", tags: { k: "v" }, timestamps: [1_700_000_000], values: [1] },
        { metric: "s", tags: { k: "v" }, timestamps: [1_700_000_000, 1_700_000_001], values: [1, Number.NaN] },
      ]),
    );
    expect(error).toMatchObject({ seriesIndex: 1, index: 1 });
    expect(error.message).toMatch(/series #1.*point #1.*finite/);
    const mismatch = await catchError(c.sendTimeseries([{ metric: "s", tags: { k: "v" }, timestamps: [1], values: [] }]));
    expect(mismatch.rule).toMatch(/same length/);
    expect(requests).toBe(0);
  });

  it("invalid call tags are refused", () => {
    const error = catchSync(() => client().prepare([good], { tags: { x: "" } }));
    expect(error).toBeInstanceOf(ApptuitValidationError);
    expect(error.index).toBe(-1);
  });

  it("wire timestamps: integer seconds stay seconds, fractions become integer ms, Dates become seconds", () => {
    const c = client();
    const ts = c
      .prepare([
        { ...good, timestamp: 1_700_000_000 },
        { ...good, timestamp: 1_700_000_000.5 },
        { ...good, timestamp: new Date(1_700_000_000_000) },
        { ...good, timestamp: new Date(1_700_000_000_123) },
      ])
      .map((p) => p.timestamp);
    expect(ts).toEqual([1_700_000_000, 1_700_000_000_500, 1_700_000_000, 1_700_000_000_123]);
  });
});
