import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { serve, type Served } from "../../../demo/node-bridge.mjs";
import { createBackend } from "../../../src/backend";
import { compress, point } from "../../support/requests";

// The demo serves the same backend over node:http; check the bridge over a real socket.
describe("demo/node-bridge.mjs serving the backend", () => {
  const backend = createBackend({ token: "bridge", cors: true });
  let served: Served;
  beforeAll(async () => {
    served = await serve((request) => backend.fetch(request));
  });
  afterAll(() => served.close());

  it("listens on a free 127.0.0.1 port", () => {
    expect(served.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(served.port).toBeGreaterThan(0);
  });

  it("carries a gzip body, headers and status both ways", async () => {
    const points = [point(), point({ timestamp: 1_700_000_060, value: 3 })];
    const put = await fetch(`${served.url}/api/put?details`, {
      method: "POST",
      headers: { authorization: "Bearer bridge", "content-type": "application/json", "content-encoding": "gzip" },
      body: await compress(JSON.stringify(points), "gzip"),
    });
    expect(put.status).toBe(204);
    expect(put.headers.get("access-control-allow-origin")).toBe("*");
    expect(backend.points()).toEqual(points);

    const q = encodeURIComponent("fetch('proc.cpu.percent')");
    const query = await fetch(`${served.url}/api/query?start=1700000000&q=${q}`, { headers: { authorization: "Bearer bridge" } });
    expect((await query.json()).outputs[0].result[0].dps).toEqual([
      [1_700_000_000, 1.5],
      [1_700_000_060, 3],
    ]);
  });

  it("passes error statuses and JSON bodies through", async () => {
    const denied = await fetch(`${served.url}/api/put`, { method: "POST", body: "[]" });
    expect(denied.status).toBe(401);
    expect((await denied.json()).error.code).toBe(401);
    const missing = await fetch(`${served.url}/nope`, { headers: { authorization: "Bearer bridge" } });
    expect(missing.status).toBe(404);
  });
});
