import { beforeEach, describe, expect, it } from "vitest";
import { createBackend, type Backend } from "../../../src/backend";
import { BASE, point, promRequest, putRequest } from "../../support/requests";

const T0 = 1_700_000_400;

describe("Prometheus API subset", () => {
  let backend: Backend;
  beforeEach(async () => {
    backend = createBackend({ now: () => (T0 + 90) * 1000 });
    const points = [];
    for (let i = 0; i < 5; i++) {
      points.push(point({ metric: "proc.cpu.percent", timestamp: T0 + i * 60, value: i + 0.5, tags: { host: "a" } }));
      points.push(point({ metric: "proc.cpu.percent", timestamp: T0 + i * 60, value: i * 10, tags: { host: "b", dc: "eu" } }));
    }
    await backend.fetch(await putRequest(points));
  });

  async function range(query: string, extra: Record<string, string> = {}) {
    const response = await backend.fetch(
      promRequest("query_range", { query, start: String(T0), end: String(T0 + 240), step: "60", ...extra }),
    );
    return { status: response.status, body: await response.json() };
  }

  it("returns stored points unchanged through a selector with a dotted name", async () => {
    const { status, body } = await range('proc.cpu.percent{host="a"}');
    expect(status).toBe(200);
    expect(body).toEqual({
      status: "success",
      data: {
        resultType: "matrix",
        result: [
          {
            metric: { __name__: "proc.cpu.percent", host: "a" },
            values: [
              [T0, "0.5"],
              [T0 + 60, "1.5"],
              [T0 + 120, "2.5"],
              [T0 + 180, "3.5"],
              [T0 + 240, "4.5"],
            ],
          },
        ],
      },
    });
  });

  it("matches with !=, __name__, the quoted-name form and single quotes", async () => {
    const hosts = async (query: string) => (await range(query)).body.data.result.map((s: { metric: { host: string } }) => s.metric.host);
    expect(await hosts("proc.cpu.percent")).toEqual(["a", "b"]);
    expect(await hosts('proc.cpu.percent{host!="a"}')).toEqual(["b"]);
    expect(await hosts('{__name__="proc.cpu.percent", dc="eu"}')).toEqual(["b"]);
    expect(await hosts("{'proc.cpu.percent', host='a'}")).toEqual(["a"]);
    expect(await hosts('proc.cpu.percent{dc=""}')).toEqual(["a"]);
  });

  it("evaluates at each step with the 5-minute lookback, like Prometheus", async () => {
    const { body } = await range('proc.cpu.percent{host="b"}', { start: String(T0 + 30), end: String(T0 + 600), step: "2m" });
    expect(body.data.result[0].values).toEqual([
      [T0 + 30, "0"],
      [T0 + 150, "20"],
      [T0 + 270, "40"],
      [T0 + 390, "40"],
      [T0 + 510, "40"],
    ]);
  });

  it("answers an instant query as a vector at `time`, or now", async () => {
    const at = await backend.fetch(promRequest("query", { query: 'proc.cpu.percent{host="a"}', time: String(T0 + 130) }));
    expect(await at.json()).toEqual({
      status: "success",
      data: { resultType: "vector", result: [{ metric: { __name__: "proc.cpu.percent", host: "a" }, value: [T0 + 130, "2.5"] }] },
    });
    const now = await (await backend.fetch(promRequest("query", { query: 'proc.cpu.percent{host="a"}' }))).json();
    expect(now.data.result[0].value).toEqual([T0 + 90, "1.5"]);
  });

  it("serves the same API under a /prometheus prefix and by POST form", async () => {
    const prefixed = await backend.fetch(promRequest("query", { query: "proc.cpu.percent", time: String(T0) }, `${BASE}/prometheus`));
    expect((await prefixed.json()).data.result).toHaveLength(2);
    const form = new URLSearchParams({ query: 'proc.cpu.percent{host="b"}', time: String(T0 + 60) });
    const posted = await backend.fetch(
      new Request(`${BASE}/api/v1/query`, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: form }),
    );
    expect((await posted.json()).data.result[0].value).toEqual([T0 + 60, "10"]);
  });

  it.each([
    ["rate(proc.cpu.percent[5m])", /unsupported function rate\(\)/],
    ["proc.cpu.percent[5m]", /only a bare selector/],
    ["proc.cpu.percent + 1", /only a bare selector/],
    ['proc.cpu.percent{host=~"a.*"}', /regex matchers/],
    ['proc.cpu.percent{host="a"', /expected ',' or '}'/],
    ['{host="a"}', /needs a metric name/],
    ["", /missing query/],
  ])("answers bad_data 400 for %j", async (query, message) => {
    const { status, body } = await range(query);
    expect(status).toBe(400);
    expect(body).toEqual({ status: "error", errorType: "bad_data", error: expect.stringMatching(message) });
  });

  it("answers bad_data for bad start, end and step", async () => {
    const cases: Record<string, string>[] = [{ start: "soon" }, { step: "0" }, { step: "fast" }, { end: String(T0 - 1) }];
    for (const extra of cases) {
      const { status, body } = await range("proc.cpu.percent", extra);
      expect(status).toBe(400);
      expect(body.status).toBe("error");
      expect(body.errorType).toBe("bad_data");
    }
    expect((await range("proc.cpu.percent", { step: "0.001" })).body.error).toMatch(/maximum resolution/);
  });

  it("accepts RFC 3339 times", async () => {
    const start = new Date(T0 * 1000).toISOString();
    const { body } = await range('proc.cpu.percent{host="a"}', { start, end: start });
    expect(body.data.result[0].values).toEqual([[T0, "0.5"]]);
  });
});
