// Hostile-server scripts over real sockets (node:http on 127.0.0.1): a body that trickles,
// a gzip bomb, a token echoed JSON-escaped, a point too large alone, a redirect loop and a
// 400 with 130,000 rows. Each must cost the client one bounded, token-free failure.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { gunzipSync, gzipSync } from "node:zlib";
import { afterEach, describe, expect, it } from "vitest";
import { Apptuit } from "../../src/core/client";
import { PageClient } from "../../src/platforms/browser/page-client";
import { ApptuitHttpError } from "../../src/core/errors/http-error";
import { ApptuitNetworkError } from "../../src/core/errors/network-error";
import { ApptuitResponseError } from "../../src/core/errors/response-error";
import { DEFAULT_MAX_RESPONSE_BYTES } from "../../src/core/bounded-fetch";
import { MetricsRegistry } from "../../src/registry";
import { ApptuitReporter } from "../../src/reporter";
import { freePort } from "../harness/ports";
import { renderings, TOKEN } from "./support";

/** The client's two HTTP layers: ky (servers) and `fetch` alone (the direct script tag); the same answers must do the same to both. */
const CLIENTS = [
  ["ky", Apptuit],
  ["fetch alone", PageClient as unknown as typeof Apptuit],
] as const;

type Script = (req: IncomingMessage, res: ServerResponse, body: Buffer) => void;

interface Hostile {
  url: string;
  /** Requests seen, by method and path. */
  requests: string[];
  /** Points in each POST /api/put body. */
  bodies: unknown[][];
}

let server: Server | undefined;
const timers = new Set<ReturnType<typeof setInterval>>();

afterEach(async () => {
  for (const t of timers) clearInterval(t);
  timers.clear();
  const s = server;
  server = undefined;
  if (s) await new Promise<void>((resolve) => (s.closeAllConnections(), s.close(() => resolve())));
});

async function hostile(script: Script): Promise<Hostile> {
  const port = await freePort();
  const state: Hostile = { url: `http://127.0.0.1:${port}`, requests: [], bodies: [] };
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      state.requests.push(`${req.method} ${req.url}`);
      const body = Buffer.concat(chunks);
      if (req.method === "POST" && body.length > 0) {
        const text = req.headers["content-encoding"] === "gzip" ? gunzipSync(body).toString("utf8") : body.toString("utf8");
        state.bodies.push(JSON.parse(text) as unknown[]);
      }
      script(req, res, body);
    });
  });
  await new Promise<void>((resolve) => server!.listen(port, "127.0.0.1", () => resolve()));
  return state;
}

/** Headers at once, then one byte every 500 ms, never ending on its own. */
const trickle =
  (status: number): Script =>
  (_req, res) => {
    res.writeHead(status, { "content-type": "application/json" });
    res.write("{");
    const t = setInterval(() => (res.destroyed ? clearInterval(t) : res.write(" ")), 500);
    timers.add(t);
  };

const now = () => Math.floor(Date.now() / 1000);
const points = (n: number) =>
  Array.from({ length: n }, (_, i) => ({ metric: "hostile.points", tags: { i: String(i) }, timestamp: now(), value: i }));

async function expectNoToken(error: unknown): Promise<void> {
  for (const text of await renderings(error)) expect(text).not.toContain(TOKEN);
}

describe("a body that trickles in: one deadline per attempt covers it", () => {
  it.each(CLIENTS)("query() fails at the timeout, not whenever the server stops (%s)", async (_, Client) => {
    const s = await hostile(trickle(200));
    const client = new Client({ token: TOKEN, endpoint: s.url, timeout: 1_000, retry: 0 });
    const started = performance.now();
    const error = await client.query("q", { start: 0 }).catch((e: unknown) => e);
    const took = performance.now() - started;
    expect(error).toBeInstanceOf(ApptuitNetworkError);
    expect((error as ApptuitNetworkError).timedOut).toBe(true);
    expect(took).toBeGreaterThanOrEqual(950);
    expect(took).toBeLessThan(4_000);
  });

  it("a failing send's slow error body: each attempt ends at the timeout; reporter.flush() and stop() settle", async () => {
    const s = await hostile(trickle(503));
    const registry = new MetricsRegistry();
    registry.counter("c", { host: "a" }).inc();
    const reporter = new ApptuitReporter({
      registry,
      token: TOKEN,
      endpoint: s.url,
      clientOptions: { timeout: 1_000, retry: { limit: 1, delay: () => 10 } },
      onError: null,
    });
    const started = performance.now();
    const flushed = await reporter.flush();
    expect(performance.now() - started).toBeLessThan(6_000);
    expect(flushed.ok).toBe(false);
    expect(flushed.buffered).toBeGreaterThan(0);
    expect(s.requests.filter((r) => r.startsWith("POST"))).toHaveLength(2);
    const stopped = await reporter.stop();
    expect(stopped.requests).toBe(1); // a later flush ran
    const stats = reporter.stats();
    expect(stats.recorded).toBe(stats.delivered + stats.rejected + stats.dropped + stats.buffered + stats.inFlight);
  });
});

it.each(CLIENTS)(
  `a gzip bomb is cut off at maxResponseBytes (default ${DEFAULT_MAX_RESPONSE_BYTES / 2 ** 20} MiB), read once (%s)`,
  async (_, Client) => {
    const bomb = gzipSync(Buffer.alloc(200 * 2 ** 20, 0x20), { level: 9 }); // 200 MiB of spaces, ~200 KB
    const s = await hostile((_req, res) => {
      res.writeHead(200, { "content-type": "application/json", "content-encoding": "gzip", "content-length": String(bomb.length) });
      res.end(bomb);
    });
    // A long deadline: on a loaded machine inflating 32 MiB may take seconds, and the cap, not the clock, must end it.
    const client = new Client({ token: TOKEN, endpoint: s.url, retry: 2, timeout: 100_000 });
    const before = process.memoryUsage().rss;
    const error = await client.query("q", { start: 0 }).catch((e: unknown) => e);
    const grew = process.memoryUsage().rss - before;
    expect(error).toBeInstanceOf(ApptuitResponseError);
    expect((error as Error).message).toContain("maxResponseBytes");
    expect(s.requests).toHaveLength(1);
    expect(grew).toBeLessThan(150 * 2 ** 20);
    // A smaller cap is honoured too.
    const small = await new Client({ token: TOKEN, endpoint: s.url, maxResponseBytes: 4096 })
      .query("q", { start: 0 })
      .catch((e: unknown) => e);
    expect((small as Error).message).toContain("larger than 4096 bytes");
  },
);

it.each(CLIENTS)("a token echoed JSON-escaped (\\u0074…, \\/) reaches no error (%s)", async (_, Client) => {
  const escaped = JSON.stringify(TOKEN)
    .slice(1, -1)
    .replace(/[a-z]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`)
    .replace(/-/g, "\\/-");
  const s = await hostile((req, res) => {
    const status = req.method === "GET" ? 500 : 401;
    res
      .writeHead(status, { "content-type": "application/json" })
      .end(`{"status":"error","errorType":"x","error":"echo ${escaped.replace(/\\\/-/g, "-")}"}`);
  });
  const client = new Client({ token: TOKEN, endpoint: s.url, retry: 0 });
  const sendError = await client.send(points(1)).catch((e: unknown) => e);
  const queryError = await client.query("q", { start: 0 }).catch((e: unknown) => e);
  expect(sendError).toBeInstanceOf(ApptuitHttpError);
  expect((sendError as Error).message).toContain("echo [token]");
  await expectNoToken(sendError);
  await expectNoToken(queryError);
});

it("a point too large alone (413 above 20 KB) is rejected alone: the other 1,008 of the flush are stored", async () => {
  const s = await hostile((_req, res, body) => res.writeHead(body.length > 20_000 ? 413 : 204).end());
  const registry = new MetricsRegistry();
  registry.gauge("huge", Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`k${i}`, "x".repeat(1_000)])), () => 1);
  for (let i = 0; i < 1_008; i++) registry.counter("small", { i: String(i) }).inc();
  const reporter = new ApptuitReporter({ registry, token: TOKEN, endpoint: s.url, clientOptions: { compress: false }, onError: null });
  const result = await reporter.flush();
  expect(result.rejected).toBe(1);
  expect(result.delivered).toBe(result.recorded - 1);
  expect(result.buffered).toBe(0);
  // The server's 204s carried exactly the delivered points.
  const accepted = s.bodies.filter((b) => JSON.stringify(b).length <= 20_000).flat();
  expect(accepted).toHaveLength(result.delivered);
});

it.each(CLIENTS)("a redirect loop on a write costs one request and names the target, without the token (%s)", async (_, Client) => {
  const s = await hostile((req, res) => res.writeHead(302, { location: `${req.url}&again` }).end());
  const client = new Client({ token: TOKEN, endpoint: s.url });
  const error = await client.send(points(3)).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(ApptuitHttpError);
  expect((error as Error).message).toMatch(/redirected \(302\) to \/api\/put/);
  expect((error as ApptuitHttpError).undelivered).toHaveLength(3);
  expect(s.requests).toHaveLength(1);
  await expectNoToken(error);
});

it("a 400 with 130,000 detail rows for 3 points: clamped counts, capped rows, books balanced", async () => {
  const rows = JSON.stringify({
    success: 0,
    failed: 130_000,
    errors: Array.from({ length: 130_000 }, (_, i) => ({ datapoint: { i }, error: "no" })),
  });
  const s = await hostile((_req, res) => res.writeHead(400, { "content-type": "application/json" }).end(rows));
  const registry = new MetricsRegistry();
  registry.counter("c", { host: "a" }).inc();
  const reporter = new ApptuitReporter({ registry, token: TOKEN, endpoint: s.url, onError: null });
  const result = await reporter.flush();
  expect(result.rejected).toBe(result.recorded);
  // The server's rows as reasons (not a RangeError from spreading 130,000 of them), capped.
  expect(result.errors.length).toBeGreaterThan(0);
  expect(result.errors.length).toBeLessThanOrEqual(1_000);
  for (const e of result.errors) expect(e).toEqual({ datapoint: expect.anything(), error: "no" });
  const stats = reporter.stats();
  expect(stats).toMatchObject({ delivered: 0, rejected: stats.recorded, buffered: 0, inFlight: 0 });
  expect(s.requests).toHaveLength(1);
});
