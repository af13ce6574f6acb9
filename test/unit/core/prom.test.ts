import { http, HttpResponse } from "msw";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { ApptuitHttpError, ApptuitResponseError } from "../../../src/core";
import { caught, catchError, client, expectNoToken, QUERY_BASE, server, TOKEN } from "./helpers";

beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterEach(() => server.resetHandlers());
afterAll(() => {
  server.close();
  expectNoToken(caught);
});

const PROM = "http://vm.test:8428";
const c = () => client({ queryEndpoint: QUERY_BASE, promEndpoint: PROM });

function answer(path: string, body: unknown, status = 200) {
  const seen: Request[] = [];
  server.use(
    http.get(`${PROM}${path}`, ({ request }) => {
      seen.push(request);
      return HttpResponse.json(body as object, { status });
    }),
  );
  return seen;
}

const matrix = {
  status: "success",
  data: {
    resultType: "matrix",
    result: [
      {
        metric: { __name__: "proc.cpu.percent", host: "h1" },
        values: [
          [1000, "1.5"],
          [1060, "NaN"],
          [1120, "+Inf"],
        ],
      },
      {
        metric: { host: "h2" },
        values: [
          [1060, "-Inf"],
          [1180, "2"],
        ],
      },
    ],
  },
};

describe("promQuery", () => {
  it("GETs /api/v1/query_range with query, start, end, step and the Bearer token", async () => {
    const seen = answer("/api/v1/query_range", matrix);
    await c().promQuery('proc.cpu.percent{host="h1"}', { start: 1000, end: new Date(1_200_000), step: "60s" });
    const url = new URL(seen[0]!.url);
    expect(Object.fromEntries(url.searchParams)).toEqual({ query: 'proc.cpu.percent{host="h1"}', start: "1000", end: "1200", step: "60s" });
    expect(seen[0]!.headers.get("authorization")).toBe(`Bearer ${TOKEN}`);
    expect(url.href).not.toContain(TOKEN);
  });

  it("defaults the Prometheus API under {queryEndpoint}/prometheus", async () => {
    let hit = "";
    server.use(http.get(`${QUERY_BASE}/prometheus/api/v1/query_range`, ({ request }) => ((hit = request.url), HttpResponse.json(matrix))));
    await client({ queryEndpoint: QUERY_BASE }).promQuery("x", { start: 1, end: 2, step: 1 });
    expect(hit).toContain("/prometheus/api/v1/query_range");
  });

  it("maps a matrix to series (string values → numbers incl. NaN/±Inf) and a table", async () => {
    answer("/api/v1/query_range", matrix);
    const out = await c().promQuery("x", { start: 1000, end: 1200, step: 60 });
    expect(out.id).toBe("promql");
    expect(out.series[0]).toEqual({
      metric: "proc.cpu.percent",
      tags: { host: "h1" },
      timestamps: [1000, 1060, 1120],
      values: [1.5, Number.NaN, Infinity],
    });
    expect(out.series[1]).toEqual({ metric: "", tags: { host: "h2" }, timestamps: [1060, 1180], values: [-Infinity, 2] });
    const table = out.toTable();
    expect(table.timestamps).toEqual([1000, 1060, 1120, 1180]);
    expect(table.columns.map((col) => col.name)).toEqual(["proc.cpu.percent{host:h1}", "{host:h2}"]);
    expect(table.columns[0]!.values).toEqual([1.5, Number.NaN, Infinity, null]);
  });

  it("promQueryInstant maps a vector (and a scalar)", async () => {
    const seen = answer("/api/v1/query", {
      status: "success",
      data: { resultType: "vector", result: [{ metric: { __name__: "up", job: "a" }, value: [1234.5, "1"] }] },
    });
    const out = await c().promQueryInstant("up", { time: 1234.5 });
    expect(new URL(seen[0]!.url).searchParams.get("time")).toBe("1234.5");
    expect(out.series).toEqual([{ metric: "up", tags: { job: "a" }, timestamps: [1234.5], values: [1] }]);

    answer("/api/v1/query", { status: "success", data: { resultType: "scalar", result: [10, "NaN"] } });
    expect((await c().promQueryInstant("scalar(x)")).series[0]!.values).toEqual([Number.NaN]);
  });

  it("an error status with 4xx → ApptuitHttpError carrying errorType and error", async () => {
    const seen = answer("/api/v1/query_range", { status: "error", errorType: "bad_data", error: "parse error at char 3" }, 400);
    const error = await catchError(c().promQuery("x[", { start: 1, end: 2, step: 1 }));
    expect(error).toBeInstanceOf(ApptuitHttpError);
    expect(error).toMatchObject({ statusCode: 400, errorType: "bad_data", error: "parse error at char 3" });
    expect(error.message).toContain("bad_data: parse error at char 3");
    expect(seen).toHaveLength(1);
  });

  it("an error status with 200 → ApptuitResponseError carrying errorType and error", async () => {
    answer("/api/v1/query", { status: "error", errorType: "execution", error: "boom" });
    const error = await catchError(c().promQueryInstant("x"));
    expect(error).toBeInstanceOf(ApptuitResponseError);
    expect(error).toMatchObject({ errorType: "execution", error: "boom" });
  });

  it("a malformed body → ApptuitResponseError naming the path", async () => {
    answer("/api/v1/query_range", {
      status: "success",
      data: {
        resultType: "matrix",
        result: [
          {
            metric: {},
            values: [
              [1, "1"],
              [2, "abc"],
            ],
          },
        ],
      },
    });
    const error = await catchError(c().promQuery("x", { start: 1, end: 2, step: 1 }));
    expect(error).toBeInstanceOf(ApptuitResponseError);
    expect(error.path).toBe("data.result.0.values.1.1");
    expect(error.message).toMatch(/data\.result\.0\.values\.1\.1.*"abc"/);

    answer("/api/v1/query_range", { status: "success", data: { resultType: "streams", result: [] } });
    expect((await catchError(c().promQuery("x", { start: 1, end: 2, step: 1 }))).path).toBe("data.resultType");

    answer("/api/v1/query_range", { status: "maybe" });
    expect((await catchError(c().promQuery("x", { start: 1, end: 2, step: 1 }))).path).toBe("status");
  });
});
