import { describe, expect, it } from "vitest";
import { createBackend } from "../../../src/backend";
import { backendHandler, useBackend } from "../../support/msw";
import { compress, point } from "../../support/requests";

const token = "msw-token";
const { backend, baseUrl, server } = useBackend({ token, baseUrl: "http://apptuit.msw.test" });
const auth = { authorization: `Bearer ${token}` };

describe("the backend behind msw, reached with real fetch", () => {
  it("stores a gzip body sent by fetch and serves it back through /api/query", async () => {
    const points = Array.from({ length: 120 }, (_, i) => point({ metric: "web.latency", timestamp: 1_700_000_400 + i * 60, value: i }));
    const put = await fetch(`${baseUrl}/api/put?details`, {
      method: "POST",
      headers: { ...auth, "content-type": "application/json", "content-encoding": "gzip" },
      body: await compress(JSON.stringify(points), "gzip"),
    });
    expect(put.status).toBe(204);
    expect(backend.points()).toEqual(points);

    const q = encodeURIComponent("fetch('web.latency').downsample('1h', 'count')");
    const query = await fetch(`${baseUrl}/api/query?start=1700000400&end=1700007600&q=${q}`, { headers: auth });
    expect(query.status).toBe(200);
    const body = await query.json();
    expect(body.outputs[0].id).toBe("web.latency");
    expect(body.outputs[0].result[0].dps.map(([, v]: [number, number]) => v).reduce((a: number, b: number) => a + b)).toBe(120);
  });

  it("answers 400 with details and 401 over the network", async () => {
    const headers = { ...auth, "content-type": "application/json" };
    const bad = await fetch(`${baseUrl}/api/put?details`, {
      method: "POST",
      headers,
      body: JSON.stringify([point(), point({ tags: {} })]),
    });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ success: 1, failed: 1 });
    const denied = await fetch(`${baseUrl}/api/put?details`, { method: "POST", body: JSON.stringify([point()]) });
    expect(denied.status).toBe(401);
    expect(backend.points()).toHaveLength(1);
  });

  it("serves a Prometheus query_range under /prometheus", async () => {
    await fetch(`${baseUrl}/api/put`, { method: "POST", headers: auth, body: JSON.stringify([point({ metric: "up", value: 1 })]) });
    const url = `${baseUrl}/prometheus/api/v1/query_range?query=up&start=1700000000&end=1700000000&step=15`;
    const body = await (await fetch(url, { headers: auth })).json();
    expect(body.data.result).toEqual([{ metric: { __name__: "up", host: "a" }, values: [[1_700_000_000, "1"]] }]);
  });

  it("answers 413 over the network from a backend swapped in with server.use", async () => {
    const small = createBackend({ maxBodyBytes: 500 });
    server.use(backendHandler(small, baseUrl));
    const points = Array.from({ length: 10 }, (_, i) => point({ timestamp: 1_700_000_000 + i }));
    const response = await fetch(`${baseUrl}/api/put?details`, { method: "POST", body: JSON.stringify(points) });
    expect(response.status).toBe(413);
    expect(small.stats()).toMatchObject({ puts: 1, rejected: 1 });
    expect(backend.stats().requests).toBe(0);
  });

  it("starts each test from an empty backend", () => {
    expect(backend.points()).toEqual([]);
    expect(backend.stats().requests).toBe(0);
  });
});
