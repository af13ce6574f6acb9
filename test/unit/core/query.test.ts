import { http, HttpResponse } from "msw";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { ApptuitAuthError, ApptuitResponseError, ApptuitValidationError, QueryResult } from "../../../src/core";
import { caught, catchError, client, expectNoToken, QUERY_BASE, server, TOKEN } from "./helpers";

beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterEach(() => server.resetHandlers());
afterAll(() => {
  server.close();
  expectNoToken(caught);
});

function answer(body: unknown, status = 200) {
  const seen: Request[] = [];
  server.use(
    http.get(`${QUERY_BASE}/api/query`, ({ request }) => {
      seen.push(request);
      return typeof body === "string" ? new HttpResponse(body, { status }) : HttpResponse.json(body as object, { status });
    }),
  );
  return seen;
}

const q = () => client({ queryEndpoint: QUERY_BASE });

const body = {
  outputs: [
    {
      id: "cpu",
      result: [
        {
          metric: "node.cpu",
          tags: { host: "b" },
          aggregatedTags: [],
          dps: [
            [90, 0],
            [100, 1],
            [160, 2],
            [220, 3],
            [400, 9],
          ],
        },
        {
          metric: "node.cpu",
          tags: { zone: "z", host: "a" },
          aggregatedTags: [],
          dps: [
            [100, 10],
            [130, 11],
            [220, null],
          ],
        },
      ],
    },
    { id: "empty", result: [] },
    { id: "load", result: [{ metric: "node.load1", tags: { host: "a" }, dps: [[160, 0.5]] }] },
  ],
};

describe("query", () => {
  it("GETs /api/query with start, end, q and the Bearer token (not in the URL)", async () => {
    const seen = answer({ outputs: [] });
    const text = "fetch('proc.cpu.percent').downsample('1m', 'avg')";
    await q().query(text, { start: 100, end: new Date(300_000) });
    const url = new URL(seen[0]!.url);
    expect(url.pathname).toBe("/api/query");
    expect(Object.fromEntries(url.searchParams)).toEqual({ start: "100", end: "300", q: text });
    expect(url.href).not.toContain(TOKEN);
    expect(seen[0]!.headers.get("authorization")).toBe(`Bearer ${TOKEN}`);
  });

  it("addresses outputs by id and index in response order, skipping empty results", async () => {
    answer(body);
    const result = await q().query("…", { start: 100, end: 300 });
    expect(result).toBeInstanceOf(QueryResult);
    expect(result.length).toBe(2);
    expect(result.at(0)!.id).toBe("cpu");
    expect(result.at(1)).toBe(result.get("load"));
    expect(result.at(-1)!.id).toBe("load");
    expect(result.get("empty")).toBeUndefined();
    expect([...result].map((o) => o.id)).toEqual(["cpu", "load"]);
  });

  it("drops points outside [start, end] and null values", async () => {
    answer(body);
    const cpu = (await q().query("…", { start: 100, end: 300 })).get("cpu")!;
    expect(cpu.series[0]).toEqual({ metric: "node.cpu", tags: { host: "b" }, timestamps: [100, 160, 220], values: [1, 2, 3] });
    expect(cpu.series[1]!.timestamps).toEqual([100, 130]);
    const open = (await q().query("…", { start: 100 })).get("cpu")!;
    expect(open.series[0]!.timestamps).toEqual([100, 160, 220, 400]);
  });

  it("an empty outputs list is an empty result", async () => {
    answer({ outputs: [] });
    const result = await q().query("…", { start: 1 });
    expect(result.length).toBe(0);
    expect(result.at(0)).toBeUndefined();
  });

  it("toTable outer-joins series on one sorted timestamp column with nulls", async () => {
    answer(body);
    const table = (await q().query("…", { start: 100, end: 300 })).get("cpu")!.toTable();
    expect(table.timestamps).toEqual([100, 130, 160, 220]);
    expect(table.columns.map((c) => c.name)).toEqual(["node.cpu{host:b}", "node.cpu{host:a, zone:z}"]);
    expect(table.columns[0]!.values).toEqual([1, null, 2, 3]);
    expect(table.columns[1]!.values).toEqual([10, 11, null, null]);
    expect(table.columns[1]!.tags).toEqual({ host: "a", zone: "z" });
    expect(table.toUPlot()).toEqual([
      [100, 130, 160, 220],
      [1, null, 2, 3],
      [10, 11, null, null],
    ]);
    expect(table.rows()[1]).toEqual({ timestamp: 130, "node.cpu{host:b}": null, "node.cpu{host:a, zone:z}": 11 });
  });

  it("a malformed body → ApptuitResponseError naming the path", async () => {
    answer({
      outputs: [
        {
          id: "a",
          result: [
            {
              metric: "m",
              tags: {},
              dps: [
                [1, 2],
                [3, "x"],
              ],
            },
          ],
        },
      ],
    });
    const error = await catchError(q().query("…", { start: 1 }));
    expect(error).toBeInstanceOf(ApptuitResponseError);
    expect(error.name).toBe("ApptuitResponseError");
    expect(error.path).toBe("outputs.0.result.0.dps.1.1");
    expect(error.message).toContain("outputs.0.result.0.dps.1.1");

    answer({ outputs: [{ id: "a", result: [{ metric: "m", tags: { constructor: 5 }, dps: [] }] }] });
    expect((await catchError(q().query("…", { start: 1 }))).path).toBe("outputs.0.result.0.tags.constructor");

    answer({ results: [] });
    expect((await catchError(q().query("…", { start: 1 }))).path).toBe("outputs");

    answer("<html>gateway</html>");
    const notJson = await catchError(q().query("…", { start: 1 }));
    expect(notJson).toBeInstanceOf(ApptuitResponseError);
    expect(notJson.message).toMatch(/not JSON/);
  });

  it("keeps a server's __proto__ tag as a plain tag", async () => {
    answer(JSON.parse('{"outputs":[{"id":"a","result":[{"metric":"m","tags":{"__proto__":"x"},"dps":[[5,1]]}]}]}'));
    const series = (await q().query("…", { start: 1 })).at(0)!.series[0]!;
    expect(Object.keys(series.tags)).toEqual(["__proto__"]);
    expect(Object.getPrototypeOf(series.tags)).toBe(Object.prototype);
  });

  it("401 → ApptuitAuthError", async () => {
    answer({ error: "bad token" }, 401);
    expect(await catchError(q().query("…", { start: 1 }))).toBeInstanceOf(ApptuitAuthError);
  });

  it("refuses millisecond start times before any request", async () => {
    const seen = answer({ outputs: [] });
    const error = await catchError(q().query("…", { start: Date.now() }));
    expect(error).toBeInstanceOf(ApptuitValidationError);
    expect(error.message).toMatch(/start .*looks like milliseconds/);
    expect(seen).toHaveLength(0);
  });
});
