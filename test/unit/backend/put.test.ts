import { describe, expect, it } from "vitest";
import { createBackend } from "../../../src/backend";
import { BASE, compress, point, putRequest, queryRequest } from "../../support/requests";

describe("POST /api/put", () => {
  it("stores valid points and answers 204 with no body", async () => {
    const backend = createBackend();
    const points = [point(), point({ timestamp: 1_700_000_060, value: 2, tags: { host: "b", dc: "eu" } })];
    const response = await backend.fetch(await putRequest(points));
    expect(response.status).toBe(204);
    expect(await response.text()).toBe("");
    expect(backend.points()).toEqual(points);
  });

  it("accepts the request without ?details and a single object body", async () => {
    const backend = createBackend();
    const response = await backend.fetch(await putRequest(point(), { details: false }));
    expect(response.status).toBe(204);
    expect(backend.points()).toEqual([point()]);
  });

  it.each(["gzip", "deflate"] as const)("decodes a %s body to the exact JSON", async (encoding) => {
    const backend = createBackend();
    const points = Array.from({ length: 300 }, (_, i) => point({ timestamp: 1_700_000_000 + i * 60, value: i / 7 }));
    const response = await backend.fetch(await putRequest(points, { encoding }));
    expect(response.status).toBe(204);
    expect(backend.points()).toEqual(points);
  });

  it("answers 400 for a body that claims gzip but is not", async () => {
    const backend = createBackend();
    const request = new Request(`${BASE}/api/put?details`, {
      method: "POST",
      headers: { "content-encoding": "gzip" },
      body: JSON.stringify([point()]),
    });
    const response = await backend.fetch(request);
    expect(response.status).toBe(400);
    expect((await response.json()).error.message).toMatch(/gzip/);
    expect(backend.points()).toEqual([]);
  });

  it("answers 415 for an unknown Content-Encoding", async () => {
    const backend = createBackend();
    const request = new Request(`${BASE}/api/put`, { method: "POST", headers: { "content-encoding": "br" }, body: "[]" });
    const response = await backend.fetch(request);
    expect(response.status).toBe(415);
  });

  it("stores the valid points and lists every invalid one in a 400", async () => {
    const backend = createBackend();
    const good1 = point();
    const bad1 = point({ value: null });
    const good2 = point({ tags: { host: "b" } });
    const bad2 = point({ tags: {} });
    const bad3 = point({ metric: "cpu load" });
    const response = await backend.fetch(await putRequest([good1, bad1, good2, bad2, bad3]));
    expect(response.status).toBe(400);
    const body = await response.json();
    expect(body).toEqual({
      success: 2,
      failed: 3,
      errors: [
        { datapoint: bad1, error: "value must be a finite number" },
        { datapoint: bad2, error: "a point needs at least one tag" },
        { datapoint: bad3, error: expect.stringContaining('invalid metric name "cpu load"') },
      ],
    });
    expect(backend.points()).toEqual([good1, good2]);
    expect(backend.stats()).toMatchObject({ puts: 1, pointsStored: 2, pointsFailed: 3, rejected: 1 });
  });

  const invalid: [string, Record<string, unknown>, RegExp][] = [
    ["a missing metric", { metric: undefined }, /^missing metric$/],
    ["a non-string metric", { metric: 5 }, /metric must be a string/],
    ["an empty metric", { metric: "" }, /metric must not be empty/],
    ["a metric with a space", { metric: "a b" }, /invalid metric name/],
    ["a string timestamp", { timestamp: "1700000000" }, /timestamp must be a number/],
    ["a fractional timestamp", { timestamp: 1_700_000_000.5 }, /invalid timestamp/],
    ["a 14-digit timestamp", { timestamp: 17_000_000_000_000 }, /invalid timestamp/],
    ["a negative timestamp", { timestamp: -1 }, /invalid timestamp/],
    ["a missing value", { value: undefined }, /^missing value$/],
    ["a string value", { value: "1" }, /value must be a finite number/],
    ["an array of tags", { tags: ["a"] }, /tags must be an object/],
    ["no tags object", { tags: undefined }, /^missing tags$/],
    ["an empty tag value", { tags: { host: "" } }, /tag values must not be empty/],
    ["a numeric tag value", { tags: { host: 1 } }, /tag values must be strings/],
    ["a tag key with a space", { tags: { "my host": "a" } }, /invalid tag key "my host"/],
    ["26 tags", { tags: Object.fromEntries(Array.from({ length: 26 }, (_, i) => [`k${i}`, "v"])) }, /too many tags: 26 \(at most 25\)/],
  ];
  it.each(invalid)("refuses %s", async (_, overrides, message) => {
    const backend = createBackend();
    const response = await backend.fetch(await putRequest([point(overrides)]));
    expect(response.status).toBe(400);
    const body = await response.json();
    expect(body.failed).toBe(1);
    expect(body.errors[0].error).toMatch(message);
    expect(backend.points()).toEqual([]);
  });

  it("refuses a non-object row", async () => {
    const backend = createBackend();
    const response = await backend.fetch(await putRequest([42]));
    expect(await response.json()).toEqual({ success: 0, failed: 1, errors: [{ datapoint: 42, error: "a datapoint must be an object" }] });
  });

  it("accepts 25 tags, Unicode names and millisecond timestamps (at or above 2^32)", async () => {
    const backend = createBackend();
    const tags = Object.fromEntries(Array.from({ length: 25 }, (_, i) => [`k${i}`, "v"]));
    const points = [
      point({ tags }),
      point({ metric: "température.cœur/é-1_x", tags: { hôte: "ünï code" } }),
      point({ timestamp: 1_700_000_000_123 }),
      point({ timestamp: 2 ** 32 }),
    ];
    const response = await backend.fetch(await putRequest(points));
    expect(response.status).toBe(204);
    expect(backend.points()).toHaveLength(4);
  });

  it("refuses __proto__ tag keys without touching any prototype", async () => {
    const backend = createBackend();
    const raw = '[{"metric":"m","timestamp":1700000000,"value":1,"tags":{"__proto__":{"polluted":"yes"},"host":"a"}}]';
    const response = await backend.fetch(await putRequest(undefined, { raw }));
    expect(response.status).toBe(400);
    expect((await response.json()).errors[0].error).toMatch(/__proto__/);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(backend.points()).toEqual([]);
  });

  it("answers 400 with a message for malformed JSON, a non-array body and an empty array", async () => {
    const backend = createBackend();
    for (const [raw, message] of [
      ["[{", /malformed JSON/],
      ['"text"', /JSON array/],
      ["[]", /no datapoints/],
    ] as const) {
      const response = await backend.fetch(await putRequest(undefined, { raw }));
      expect(response.status).toBe(400);
      expect((await response.json()).error).toEqual({ code: 400, message: expect.stringMatching(message) });
    }
  });

  it("answers 413 when the body is larger than maxBodyBytes, storing nothing", async () => {
    const backend = createBackend({ maxBodyBytes: 1000 });
    const points = Array.from({ length: 20 }, (_, i) => point({ timestamp: 1_700_000_000 + i }));
    const response = await backend.fetch(await putRequest(points));
    expect(response.status).toBe(413);
    expect((await response.json()).error.message).toMatch(/larger than 1000 bytes/);
    expect(backend.points()).toEqual([]);
    expect((await backend.fetch(await putRequest(points.slice(0, 2)))).status).toBe(204);
  });

  it("applies maxBodyBytes to the decompressed size too", async () => {
    const backend = createBackend({ maxBodyBytes: 2000 });
    const points = Array.from({ length: 100 }, () => point());
    const request = await putRequest(points, { encoding: "gzip" });
    const compressed = (await compress(JSON.stringify(points), "gzip")).byteLength;
    expect(compressed).toBeLessThan(2000);
    const response = await backend.fetch(request);
    expect(response.status).toBe(413);
  });

  it("answers 413 when a request holds more than maxPoints points", async () => {
    const backend = createBackend({ maxPoints: 3 });
    const points = Array.from({ length: 4 }, (_, i) => point({ timestamp: 1_700_000_000 + i }));
    const response = await backend.fetch(await putRequest(points));
    expect(response.status).toBe(413);
    expect((await response.json()).error.message).toMatch(/4 \(at most 3\)/);
    expect(backend.points()).toEqual([]);
    expect((await backend.fetch(await putRequest(points.slice(0, 3)))).status).toBe(204);
  });

  it("replaces the value of a series written twice at the same instant", async () => {
    const backend = createBackend();
    await backend.fetch(await putRequest([point({ value: 1 }), point({ value: 2 })]));
    const response = await backend.fetch(queryRequest("fetch('proc.cpu.percent')", 1_700_000_000));
    const body = await response.json();
    expect(body.outputs[0].result[0].dps).toEqual([[1_700_000_000, 2]]);
    expect(backend.points()).toHaveLength(2);
  });

  it("answers 405 for GET /api/put and 404 for an unknown path", async () => {
    const backend = createBackend();
    const get = await backend.fetch(new Request(`${BASE}/api/put`));
    expect(get.status).toBe(405);
    expect(get.headers.get("allow")).toBe("POST");
    expect((await backend.fetch(new Request(`${BASE}/api/nothing`))).status).toBe(404);
  });
});
