// Budgets and attacks on the relay (docs/aggregation.md): each refused with its status code,
// in bounded time and memory, with nothing written upstream, and counted in stats().refused.
import { http } from "msw";
import { describe, expect, it } from "vitest";
import { compress } from "../../support/requests";
import { makeRelay, post, row, UPSTREAM, useUpstream } from "./fixtures";

const { backend, server } = useUpstream();
const now = () => Math.floor(Date.now() / 1000);

/** A v2 payload of `n` counter series named `c.<i>.count` (one run). */
function seriesPayload(n: number, first = 0): string {
  const k = ["app", "web"];
  const s: number[][] = [];
  for (let i = 0; i < n; i++) {
    k.push(`c.${first + i}.count`);
    s.push([0, k.length - 1, 0, 1]);
  }
  return JSON.stringify({ v: 2, t0: now(), k, s, p: [[0, 0, ...s.map(() => 1)]] });
}

async function timed<T>(fn: () => Promise<T>): Promise<{ value: T; ms: number; rssMb: number }> {
  const rss = process.memoryUsage().rss;
  const started = performance.now();
  const value = await fn();
  return { value, ms: performance.now() - started, rssMb: (process.memoryUsage().rss - rss) / 2 ** 20 };
}

describe("budgets", () => {
  it("distinct series per window (all clients): past the budget 429 + Retry-After, the request changes nothing", async () => {
    const relay = makeRelay({ budget: { seriesPerWindow: 10 } });
    expect((await relay(post(seriesPayload(8)), { clientId: "a" })).status).toBe(204);
    const refused = await relay(post(seriesPayload(3, 100)), { clientId: "b" });
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(relay.stats().series).toBe(8);
    await relay.flush();
    expect(backend.points().filter((p) => p.metric.startsWith("c_"))).toHaveLength(8);
    expect(relay.stats().refused).toEqual({ series_budget: 1 });
    expect(backend.points().find((p) => p.metric === "apptuit_relay_refused_count")).toMatchObject({
      value: 1,
      tags: { reason: "series_budget" },
    });
  });

  it("new series per client per window: one client cannot fill the window; known series cost nothing", async () => {
    const relay = makeRelay({ budget: { newSeriesPerClient: 5 } });
    expect((await relay(post(seriesPayload(5)), { clientId: "a" })).status).toBe(204);
    expect((await relay(post(seriesPayload(1, 50)), { clientId: "a" })).status).toBe(429);
    expect((await relay(post(seriesPayload(5)), { clientId: "a" })).status).toBe(204); // the same series again
    expect((await relay(post(seriesPayload(5, 50)), { clientId: "b" })).status).toBe(204);
    expect(relay.stats()).toMatchObject({ series: 10, refused: { client_series_budget: 1 } });
  });

  it("a 23.5 KB compact request naming one long series 5,000 times: 413 in milliseconds, bounded memory, nothing forwarded", async () => {
    const relay = makeRelay({ aggregate: false });
    const k = ["web.x"];
    const series = [0];
    for (let t = 0; t < 24; t++) {
      k.push(`k${t}`, `${t}`.padEnd(200, "v"));
      series.push(k.length - 2, k.length - 1);
    }
    // 50 copies of the series row, and 100 runs over all 50: 5,000 points of one ~10 KB series.
    const body = JSON.stringify({
      v: 1,
      t0: now(),
      k,
      s: Array(50).fill(series),
      p: Array.from({ length: 100 }, () => [0, 0, ...Array(50).fill(1)]),
    });
    expect(body.length).toBeLessThan(24_000);
    const { value: response, ms, rssMb } = await timed(() => relay(post(body)));
    expect(response.status, await response.clone().text()).toBe(413);
    expect(ms).toBeLessThan(500);
    expect(rssMb).toBeLessThan(64);
    expect(backend.stats().requests).toBe(0);
    expect(relay.stats().refused).toEqual({ too_large: 1 });
  });

  it("1 MiB of nested [ (1 KB gzip): 400 before parsing, in milliseconds", async () => {
    const relay = makeRelay();
    const gz = await compress("[".repeat(1_000_000), "gzip");
    expect(gz.byteLength).toBeLessThan(4_000);
    const { value: response, ms } = await timed(() => relay(post(gz, { headers: { "content-encoding": "gzip" } })));
    expect(response.status).toBe(400);
    expect((await response.json()).error).toMatch(/nested deeper/);
    expect(ms).toBeLessThan(300);
    expect(relay.stats().refused).toEqual({ depth: 1 });
  });

  it("concurrent upstream writes are capped: past the cap 503 + Retry-After at once, not a queue", async () => {
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    server.use(
      http.post(`${UPSTREAM}/api/put`, async () => {
        await held;
        return new Response(null, { status: 204 });
      }),
    );
    const relay = makeRelay({ aggregate: false, maxConcurrentWrites: 2 });
    const slow = [relay(post(JSON.stringify([row()]))), relay(post(JSON.stringify([row()])))];
    await new Promise((resolve) => setTimeout(resolve, 50)); // both are now waiting upstream
    const { value: busy, ms } = await timed(() => relay(post(JSON.stringify([row()]))));
    expect(busy.status).toBe(503);
    expect(busy.headers.get("retry-after")).toBe("1");
    expect(ms).toBeLessThan(200);
    release();
    expect((await Promise.all(slow)).map((r) => r.status)).toEqual([204, 204]);
    expect(relay.stats().refused).toEqual({ busy: 1 });
  });

  it("accepts timestamps from 1 h back to 10 min ahead; outside → 400, nothing held or forwarded", async () => {
    const relay = makeRelay();
    expect((await relay(post(JSON.stringify([row({ timestamp: now() - 2 * 3600 })])))).status).toBe(400);
    const ahead = await relay(post(JSON.stringify([row({ timestamp: now() + 20 * 60 })])));
    expect(ahead.status).toBe(400);
    expect((await ahead.json()).error).toMatch(/accepted window/);
    const old = JSON.stringify({ v: 2, t0: now() - 2 * 3600, k: ["c.count", "a", "b"], s: [[0, 0, 1, 2]], p: [[0, 0, 1]] });
    expect((await relay(post(old))).status).toBe(400);
    await relay.flush();
    expect(backend.stats().requests).toBe(0);
    expect(relay.stats().refused).toEqual({ timestamp: 3 });
  });

  it("checks metric prefixes on the names as they will be written (after sanitizing)", async () => {
    const relay = makeRelay({ allowedPrefixes: ["web."], aggregate: false });
    expect((await relay(post(JSON.stringify([row({ metric: "web-x.y" })])))).status).toBe(204); // written as web_x_y
    expect((await relay(post(JSON.stringify([row({ metric: "webx" })])))).status).toBe(403);
    expect(backend.points().map((p) => p.metric)).toEqual(["web_x_y"]);
    expect(relay.stats().refused).toEqual({ forbidden: 1 });
  });
});

describe("client keys and server tags", () => {
  it("forged X-Forwarded-For / CF-Connecting-IP are not keys unless trusted: keyless requests share one global bucket", async () => {
    const relay = makeRelay({ rateLimit: { requests: 3 } });
    const statuses: number[] = [];
    for (let i = 0; i < 10; i++) {
      const forged = { "x-forwarded-for": `10.0.0.${i}`, "cf-connecting-ip": `10.1.0.${i}` };
      statuses.push((await relay(post(JSON.stringify([row()]), { headers: forged }))).status);
    }
    expect(statuses).toEqual([204, 204, 204, ...Array(7).fill(429)]);
    expect(relay.stats().refused).toEqual({ rate_limited: 7 });
  });

  it("trustProxy: 1 reads the address the trusted proxy appended, whatever the page put before it", async () => {
    const relay = makeRelay({ rateLimit: { requests: 2 }, trustProxy: 1 });
    const from = (forged: string, real: string) => post(JSON.stringify([row()]), { headers: { "x-forwarded-for": `${forged}, ${real}` } });
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await relay(from(`6.6.6.${i}`, "198.51.100.7"))).status);
    expect(statuses).toEqual([204, 204, 429, 429]);
    expect((await relay(from("6.6.6.6", "198.51.100.8"))).status).toBe(204);
  });

  it("preflights are limited too", async () => {
    const relay = makeRelay({ rateLimit: { requests: 2 } });
    const preflight = () =>
      relay(new Request("https://relay.example/apptuit", { method: "OPTIONS", headers: { origin: "https://shop.example" } }), {
        clientId: "c",
      });
    expect((await preflight()).status).toBe(204);
    expect((await preflight()).status).toBe(204);
    expect((await preflight()).status).toBe(429);
  });

  it("page tag keys are sanitized first, then any key equal to a server tag key is dropped, server value or not", async () => {
    const relay = makeRelay({ aggregate: false, tags: () => ({ client_ip: "203.0.113.9", geo_country: undefined }) });
    const forged = row({ tags: { "client.ip": "1.2.3.4", "geo-country": "XX", page: "/a" } });
    expect((await relay(post(JSON.stringify([forged])))).status).toBe(204);
    expect(backend.points()[0]!.tags).toEqual({ client_ip: "203.0.113.9", page: "/a" });
  });
});
