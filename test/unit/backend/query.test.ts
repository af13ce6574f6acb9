import { beforeEach, describe, expect, it } from "vitest";
import { createBackend, type Backend } from "../../../src/backend";
import { BASE, point, putRequest, queryRequest } from "../../support/requests";

const T0 = 1_700_000_400; // a multiple of 600: buckets of 1m and 10m start here

async function run(backend: Backend, q: string, start = T0, end?: number) {
  const response = await backend.fetch(queryRequest(q, start, end));
  return { status: response.status, body: await response.json() };
}

describe("GET /api/query", () => {
  let backend: Backend;
  beforeEach(async () => {
    backend = createBackend({ now: () => (T0 + 3600) * 1000 });
    const points = [];
    for (const host of ["a", "b", "c"]) {
      for (let i = 0; i < 20; i++) {
        points.push(
          point({
            metric: "cpu",
            timestamp: T0 + i * 30,
            value: i + (host === "b" ? 100 : 0),
            tags: { host, dc: host === "c" ? "us" : "eu" },
          }),
        );
      }
    }
    points.push(point({ metric: "load", timestamp: T0, value: 7, tags: { host: "a" } }));
    expect((await backend.fetch(await putRequest(points))).status).toBe(204);
  });

  it("answers the docs/wire-format.md shape for a bare fetch, with id = metric and series sorted by tags", async () => {
    const { status, body } = await run(backend, "fetch('load')");
    expect(status).toBe(200);
    expect(body).toEqual({
      outputs: [{ id: "load", result: [{ metric: "load", tags: { host: "a" }, aggregatedTags: [], dps: [[T0, 7]] }] }],
    });
    const cpu = await run(backend, "fetch('cpu')");
    expect(cpu.body.outputs[0].result.map((s: { tags: { host: string } }) => s.tags.host)).toEqual(["a", "b", "c"]);
    expect(cpu.body.outputs[0].result[0].dps).toHaveLength(20);
  });

  it("keeps only points within [start, end], inclusive", async () => {
    const { body } = await run(backend, "fetch('cpu', {host: 'a'})", T0 + 60, T0 + 120);
    expect(body.outputs[0].result[0].dps).toEqual([
      [T0 + 60, 2],
      [T0 + 90, 3],
      [T0 + 120, 4],
    ]);
  });

  it("uses now() as the end when end is missing, and accepts a millisecond start", async () => {
    const early = createBackend({ now: () => (T0 + 30) * 1000 });
    await early.fetch(await putRequest([point({ timestamp: T0 }), point({ timestamp: T0 + 60 })]));
    const { body } = await run(early, "fetch('proc.cpu.percent')", T0 * 1000);
    expect(body.outputs[0].result[0].dps).toEqual([[T0, 1.5]]);
  });

  it("reads timestamps at or above 2^32 as milliseconds and answers in (fractional) seconds", async () => {
    const ms = createBackend();
    await ms.fetch(await putRequest([point({ timestamp: 1_700_000_000_250 }), point({ timestamp: 2 ** 32, tags: { host: "b" } })]));
    const { body } = await run(ms, "fetch('proc.cpu.percent')", 0, 1_800_000_000);
    expect(body.outputs[0].result.map((s: { dps: unknown }) => s.dps)).toEqual([[[1_700_000_000.25, 1.5]], [[4_294_967.296, 1.5]]]);
  });

  it("filters by tag: exact, alternatives, wildcard, and several filters together", async () => {
    const hosts = async (q: string) => (await run(backend, q)).body.outputs[0].result.map((s: { tags: { host: string } }) => s.tags.host);
    expect(await hosts("fetch('cpu', {host: 'b'})")).toEqual(["b"]);
    expect(await hosts("fetch('cpu', {host: 'a|c'})")).toEqual(["a", "c"]);
    expect(await hosts("fetch('cpu', {dc: 'e*'})")).toEqual(["a", "b"]);
    expect(await hosts("fetch('cpu', {dc: 'eu', host: 'b|c'})")).toEqual(["b"]);
    expect(await hosts("fetch('cpu', {host: '*'})")).toEqual(["a", "b", "c"]);
    expect(await hosts("fetch('cpu', {rack: '*'})")).toEqual([]);
    expect(await hosts("fetch('cpu', {host: 'z'})")).toEqual([]);
  });

  it.each([
    [
      "avg",
      [
        [T0, 0.5],
        [T0 + 60, 2.5],
      ],
    ],
    [
      "sum",
      [
        [T0, 1],
        [T0 + 60, 5],
      ],
    ],
    [
      "min",
      [
        [T0, 0],
        [T0 + 60, 2],
      ],
    ],
    [
      "max",
      [
        [T0, 1],
        [T0 + 60, 3],
      ],
    ],
    [
      "count",
      [
        [T0, 2],
        [T0 + 60, 2],
      ],
    ],
  ])("downsamples with %s into epoch-aligned buckets", async (aggregator, dps) => {
    const { body } = await run(backend, `fetch('cpu', {host: 'a'}).downsample('1m', '${aggregator}')`, T0, T0 + 119);
    expect(body.outputs[0].result[0].dps).toEqual(dps);
  });

  it("downsamples with buckets labelled by their start when points are not aligned", async () => {
    const { body } = await run(backend, "fetch('cpu', {host: 'b'}).downsample('10m', 'max')", T0 + 30);
    expect(body.outputs[0].result[0].dps).toEqual([[T0, 119]]);
    const hourly = await run(backend, "fetch('load').downsample('1h', 'sum')");
    expect(hourly.body.outputs[0].result[0].dps).toEqual([[Math.floor(T0 / 3600) * 3600, 7]]);
  });

  it("returns named outputs in the order of output()", async () => {
    const { body } = await run(backend, "c = fetch('cpu', {host: 'c'}).downsample('10m', 'count'); l = fetch('load'); output(l, c)");
    expect(body.outputs.map((o: { id: string }) => o.id)).toEqual(["l", "c"]);
    expect(body.outputs[1].result[0].dps).toEqual([[T0, 20]]);
    expect(body.outputs[0].result[0].metric).toBe("load");
  });

  it("returns an output with an empty result for an unknown metric", async () => {
    const { status, body } = await run(backend, "fetch('nothing')");
    expect(status).toBe(200);
    expect(body).toEqual({ outputs: [{ id: "nothing", result: [] }] });
  });

  it("answers 400 with the parse error", async () => {
    const { status, body } = await run(backend, "fetch('cpu').downsample('1m')");
    expect(status).toBe(400);
    expect(body.error.message).toMatch(/query parse error at line 1, column 29: expected ',' and an aggregator/);
  });

  it("answers 400 for missing or invalid parameters", async () => {
    for (const search of ["start=1", "q=fetch('m')", "q=fetch('m')&start=yesterday", "q=fetch('m')&start=10&end=5"]) {
      const response = await backend.fetch(new Request(`${BASE}/api/query?${search}`));
      expect(response.status).toBe(400);
      expect((await response.json()).error.message).toMatch(/start|end|\bq\b/);
    }
  });
});
