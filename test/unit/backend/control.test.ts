import { describe, expect, it } from "vitest";
import { createBackend } from "../../../src/backend";
import { BASE, point, putRequest, queryRequest } from "../../support/requests";

describe("backend controls: stats, reset, failNext, cors, options", () => {
  it("counts requests, puts, queries, rejections and points", async () => {
    const backend = createBackend();
    await backend.fetch(await putRequest([point(), point({ value: "x" })]));
    await backend.fetch(await putRequest([point({ timestamp: 1_700_000_060 })]));
    await backend.fetch(queryRequest("fetch('proc.cpu.percent')", 0));
    await backend.fetch(new Request(`${BASE}/api/v1/query?query=x`));
    await backend.fetch(new Request(`${BASE}/nope`));
    expect(backend.stats()).toEqual({ requests: 5, puts: 2, queries: 1, promQueries: 1, rejected: 2, pointsStored: 2, pointsFailed: 1 });
  });

  it("reset() forgets points and counters", async () => {
    const backend = createBackend();
    await backend.fetch(await putRequest([point()]));
    backend.reset();
    expect(backend.points()).toEqual([]);
    expect(backend.stats().requests).toBe(0);
    const body = await (await backend.fetch(queryRequest("fetch('proc.cpu.percent')", 0))).json();
    expect(body.outputs[0].result).toEqual([]);
  });

  it("points() hands out copies", async () => {
    const backend = createBackend();
    await backend.fetch(await putRequest([point()]));
    backend.points()[0]!.tags.host = "changed";
    expect(backend.points()[0]!.tags.host).toBe("a");
  });

  it("failNext serves a canned failure the given number of times, then serves normally", async () => {
    const backend = createBackend();
    backend.failNext({ status: 503, times: 2, headers: { "retry-after": "1" }, path: "/api/put" });
    const first = await backend.fetch(await putRequest([point()]));
    expect(first.status).toBe(503);
    expect(first.headers.get("retry-after")).toBe("1");
    expect((await backend.fetch(queryRequest("fetch('m')", 0))).status).toBe(200);
    expect((await backend.fetch(await putRequest([point()]))).status).toBe(503);
    expect((await backend.fetch(await putRequest([point()]))).status).toBe(204);
    expect(backend.points()).toHaveLength(1);
    expect(backend.stats()).toMatchObject({ puts: 3, rejected: 2 });
    expect(() => backend.failNext({ status: 99 })).toThrow(RangeError);
  });

  it("adds CORS headers and answers preflights only when cors is on", async () => {
    const open = createBackend({ cors: true });
    const preflight = await open.fetch(new Request(`${BASE}/api/put`, { method: "OPTIONS" }));
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get("access-control-allow-headers")).toMatch(/authorization/);
    const put = await open.fetch(await putRequest([point()]));
    expect(put.headers.get("access-control-allow-origin")).toBe("*");

    const closed = createBackend();
    expect((await closed.fetch(new Request(`${BASE}/api/put`, { method: "OPTIONS" }))).status).toBe(405);
    expect((await closed.fetch(await putRequest([point()]))).headers.get("access-control-allow-origin")).toBeNull();
  });

  it("refuses non-positive limits", () => {
    expect(() => createBackend({ maxPoints: 0 })).toThrow(/maxPoints/);
    expect(() => createBackend({ maxBodyBytes: -1 })).toThrow(/maxBodyBytes/);
  });

  it("serves any path prefix before /api", async () => {
    const backend = createBackend();
    const response = await backend.fetch(await putRequest([point()], { base: `${BASE}/tenant/42` }));
    expect(response.status).toBe(204);
  });
});
