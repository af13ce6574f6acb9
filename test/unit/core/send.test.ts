import { http, HttpResponse, delay } from "msw";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import {
  Apptuit,
  ApptuitAbortError,
  ApptuitAuthError,
  ApptuitError,
  ApptuitHttpError,
  ApptuitNetworkError,
  ApptuitSendError,
  type WirePoint,
} from "../../../src/core";
import { BASE, caught, catchError, client, expectNoToken, points, record, type Recorded, server, TOKEN } from "./helpers";

beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterEach(() => server.resetHandlers());
afterAll(() => {
  server.close();
  expectNoToken(caught);
});

const PUT = `${BASE}/api/put`;

/** Records every put; `respond` decides the answer (default 204). */
function put(respond: (r: Recorded, n: number) => Response | Promise<Response> = () => new HttpResponse(null, { status: 204 })) {
  const requests: Recorded[] = [];
  server.use(http.post(PUT, async ({ request }) => respond(await record(request, requests), requests.length)));
  return requests;
}

describe("send: request", () => {
  it("POSTs gzip JSON to /api/put?details with Bearer auth; the body decodes to the exact rows", async () => {
    const requests = put();
    const result = await client().send([
      { metric: "proc.cpu.percent", tags: { host: "a" }, timestamp: 1_700_000_000, value: 0.5 },
      { metric: "proc.mem", tags: { host: "b" }, timestamp: new Date(1_700_000_001_000), value: 42 },
      { metric: "proc.mem", tags: { host: "b" }, timestamp: 1_700_000_001.25, value: -1 },
    ]);
    expect(result).toEqual({ points: 3, requests: 1 });
    expect(requests).toHaveLength(1);
    const [r] = requests;
    expect(r!.url.pathname).toBe("/api/put");
    expect(r!.url.search).toBe("?details");
    expect(r!.url.href).not.toContain(TOKEN);
    expect(r!.headers.get("authorization")).toBe(`Bearer ${TOKEN}`);
    expect(r!.headers.get("content-type")).toBe("application/json");
    expect(r!.headers.get("content-encoding")).toBe("gzip");
    expect(r!.body).toBe(
      JSON.stringify([
        { metric: "proc_cpu_percent", timestamp: 1_700_000_000, value: 0.5, tags: { host: "a" } },
        { metric: "proc_mem", timestamp: 1_700_000_001, value: 42, tags: { host: "b" } },
        { metric: "proc_mem", timestamp: 1_700_000_001_250, value: -1, tags: { host: "b" } },
      ]),
    );
  });

  it("falls back to plain JSON where CompressionStream is a stub that throws (Next.js edge sandbox)", async () => {
    const requests = put();
    const original = globalThis.CompressionStream;
    globalThis.CompressionStream = class {
      constructor() {
        throw new Error("CompressionStream is not supported in the Edge Runtime");
      }
    } as unknown as typeof CompressionStream;
    try {
      await client().send(points(2));
    } finally {
      globalThis.CompressionStream = original;
    }
    expect(requests[0]!.headers.get("content-encoding")).toBeNull();
    expect(JSON.parse(requests[0]!.body)).toHaveLength(2);
  });

  it("sends plain JSON without Content-Encoding when compress is false", async () => {
    const requests = put();
    await client({ compress: false }).send(points(1));
    expect(requests[0]!.headers.get("content-encoding")).toBeNull();
    expect(JSON.parse(requests[0]!.body)).toHaveLength(1);
  });

  it("uses a custom fetch", async () => {
    const requests = put();
    let calls = 0;
    const c = client({ fetch: (input, init) => (calls++, fetch(input, init)) });
    await c.send(points(1));
    expect(calls).toBe(1);
    expect(requests).toHaveLength(1);
  });

  it("merges tags: point > call (reporter) > global", async () => {
    const requests = put();
    const c = client({ globalTags: { env: "prod", host: "global", svc: "g" } });
    await c.send(
      [
        { metric: "m", tags: { host: "point" }, timestamp: 1_700_000_000, value: 1 },
        { metric: "m", timestamp: 1_700_000_000, value: 2 },
      ],
      { tags: { host: "call", region: "eu", svc: "c" } },
    );
    const rows = JSON.parse(requests[0]!.body);
    expect(rows[0].tags).toEqual({ env: "prod", host: "point", svc: "c", region: "eu" });
    expect(rows[1].tags).toEqual({ env: "prod", host: "call", svc: "c", region: "eu" });
  });

  // The servers' client (a page's client has no environment: page-client.test.ts).
  it("uses APPTUIT_TAGS from env, replaced by explicit globalTags", async () => {
    const requests = put();
    const env = { APPTUIT_TAGS: "dc: eu-1, host: e" };
    const server = (options: { globalTags?: Record<string, string> } = {}) =>
      new Apptuit({ token: TOKEN, endpoint: BASE, env, ...options });
    await server().send([{ metric: "m", timestamp: 1_700_000_000, value: 1 }]);
    await server({ globalTags: { only: "this" } }).send([{ metric: "m", timestamp: 1_700_000_000, value: 1 }]);
    expect(JSON.parse(requests[0]!.body)[0].tags).toEqual({ dc: "eu-1", host: "e" });
    expect(JSON.parse(requests[1]!.body)[0].tags).toEqual({ only: "this" });
  });

  it("sanitizes metric names and tag keys per mode", async () => {
    const requests = put();
    const p = [{ metric: "héllo.wörld 1", tags: { "tag key": "v a l" }, timestamp: 1_700_000_000, value: 1 }];
    await client().send(p);
    await client({ sanitize: "apptuit" }).send(p);
    expect(JSON.parse(requests[0]!.body)[0]).toMatchObject({ metric: "h_llo_w_rld_1", tags: { tag_key: "v a l" } });
    expect(JSON.parse(requests[1]!.body)[0]).toMatchObject({ metric: "héllo.wörld_1", tags: { tag_key: "v a l" } });
  });

  it("splits more than 50,000 points into two requests", async () => {
    const requests = put();
    const result = await client().send(points(50_001));
    expect(result).toEqual({ points: 50_001, requests: 2 });
    expect(requests.map((r) => JSON.parse(r.body).length)).toEqual([50_000, 1]);
  });

  it("makes no request for an empty batch", async () => {
    const requests = put();
    expect(await client().send([])).toEqual({ points: 0, requests: 0 });
    expect(requests).toHaveLength(0);
  });

  it("sendTimeseries pairs timestamps with values", async () => {
    const requests = put();
    await client().sendTimeseries([{ metric: "s", tags: { k: "v" }, timestamps: [1_700_000_000, 1_700_000_060], values: [1, 2] }]);
    expect(JSON.parse(requests[0]!.body)).toEqual([
      { metric: "s", timestamp: 1_700_000_000, value: 1, tags: { k: "v" } },
      { metric: "s", timestamp: 1_700_000_060, value: 2, tags: { k: "v" } },
    ]);
  });
});

describe("send: responses", () => {
  it("accepts 200 as well as 204", async () => {
    put(() => new HttpResponse(null, { status: 200 }));
    expect(await client().send(points(2))).toEqual({ points: 2, requests: 1 });
  });

  it("400 with details surfaces every error, without retrying", async () => {
    const errors = [
      { datapoint: { metric: "a" }, error: "Unknown metric" },
      { datapoint: { metric: "b" }, error: "Invalid tag value" },
    ];
    const requests = put(() => HttpResponse.json({ success: 1, failed: 2, errors }, { status: 400 }));
    const error = await catchError(client().send(points(3)));
    expect(error).toBeInstanceOf(ApptuitSendError);
    expect(error.name).toBe("ApptuitSendError");
    expect(error).toMatchObject({ statusCode: 400, success: 1, failed: 2, errors, undelivered: [] });
    expect(error.message).toContain("Unknown metric");
    expect(error.message).toContain("Invalid tag value");
    expect(requests).toHaveLength(1);
  });

  it("413 splits the batch until the server accepts", async () => {
    const LIMIT = 3;
    const requests = put((r) => new HttpResponse(null, { status: JSON.parse(r.body).length > LIMIT ? 413 : 204 }));
    const result = await client().send(points(10));
    expect(result.points).toBe(10);
    const sizes = requests.map((r) => JSON.parse(r.body).length);
    expect(sizes).toEqual([10, 5, 3, 2, 5, 3, 2]);
    const stored = requests
      .filter((r) => JSON.parse(r.body).length <= LIMIT)
      .flatMap((r) => JSON.parse(r.body).map((p: WirePoint) => p.value));
    expect(stored).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it("a 413 split where one half fails reports exactly the other half as undelivered", async () => {
    put((r) => {
      const rows: WirePoint[] = JSON.parse(r.body);
      if (rows.length > 2) return new HttpResponse(null, { status: 413 });
      return new HttpResponse(null, { status: rows.some((p) => p.value === 3) ? 503 : 204 });
    });
    const c = client();
    const prepared = c.prepare(points(4));
    const error = await catchError(c.sendPrepared(prepared));
    expect(error).toBeInstanceOf(ApptuitHttpError);
    expect(error.statusCode).toBe(503);
    expect(error.undelivered).toEqual(prepared.slice(2));
  });

  it("a single point still too large is rejected alone: ApptuitSendError 413, nothing left to resend", async () => {
    put(() => new HttpResponse(null, { status: 413 }));
    const error = await catchError(client().send(points(1)));
    expect(error).toBeInstanceOf(ApptuitSendError);
    expect(error.statusCode).toBe(413);
    expect(error.failed).toBe(1);
    expect(error.success).toBe(0);
    expect(error.undelivered).toHaveLength(0);
  });

  it("503 twice then 204 succeeds", async () => {
    const requests = put((_, n) => new HttpResponse(null, { status: n <= 2 ? 503 : 204 }));
    expect(await client().send(points(2))).toEqual({ points: 2, requests: 1 });
    expect(requests).toHaveLength(3);
  });

  it("429 with Retry-After: 1 waits about a second", async () => {
    const requests = put((_, n) => new HttpResponse(null, n === 1 ? { status: 429, headers: { "retry-after": "1" } } : { status: 204 }));
    const started = performance.now();
    await client().send(points(1));
    expect(performance.now() - started).toBeGreaterThanOrEqual(900);
    expect(requests).toHaveLength(2);
  });

  it("honours Retry-After given as an HTTP date", async () => {
    const retryAt = new Date(Date.now() + 2000).toUTCString(); // whole seconds: 1–2 s from now
    const requests = put(
      (_, n) => new HttpResponse(null, n === 1 ? { status: 503, headers: { "retry-after": retryAt } } : { status: 204 }),
    );
    const started = performance.now();
    await client().send(points(1));
    expect(performance.now() - started).toBeGreaterThanOrEqual(900);
    expect(requests).toHaveLength(2);
  });

  it("a network failure is retried, then succeeds", async () => {
    const requests = put((_, n) => (n === 1 ? HttpResponse.error() : new HttpResponse(null, { status: 204 })));
    expect(await client().send(points(1))).toEqual({ points: 1, requests: 1 });
    expect(requests).toHaveLength(2);
  });

  it("retries stop at the limit with the last error; all points undelivered", async () => {
    const requests = put(() => new HttpResponse("overloaded", { status: 503, headers: { "retry-after": "0" } }));
    const c = client({ retry: { limit: 2, delay: () => 5 } });
    const prepared = c.prepare(points(3));
    const error = await catchError(c.sendPrepared(prepared));
    expect(requests).toHaveLength(3);
    expect(error).toBeInstanceOf(ApptuitHttpError);
    expect(error.name).toBe("ApptuitHttpError");
    expect(error.statusCode).toBe(503);
    expect(error.retryAfter).toBe(0);
    expect(error.message).toContain("overloaded");
    expect(error.undelivered).toEqual(prepared);
  });

  it("network failures after the limit → ApptuitNetworkError with every point undelivered", async () => {
    const requests = put(() => HttpResponse.error());
    const error = await catchError(client({ retry: { limit: 1, delay: () => 1 } }).send(points(2)));
    expect(requests).toHaveLength(2);
    expect(error).toBeInstanceOf(ApptuitNetworkError);
    expect(error.undelivered).toHaveLength(2);
  });

  it("401 → ApptuitAuthError without retry, token echoed by the server is redacted", async () => {
    const requests = put(() => new HttpResponse(`invalid token ${TOKEN}`, { status: 401 }));
    const error = await catchError(client().send(points(1)));
    expect(error).toBeInstanceOf(ApptuitAuthError);
    expect(error).toBeInstanceOf(ApptuitHttpError);
    expect(error.name).toBe("ApptuitAuthError");
    expect(error.statusCode).toBe(401);
    expect(error.message).toContain("invalid token [token]");
    expect(requests).toHaveLength(1);
  });

  it("403 is an auth error too", async () => {
    put(() => new HttpResponse(null, { status: 403 }));
    expect(await catchError(client().send(points(1)))).toBeInstanceOf(ApptuitAuthError);
  });

  it("other 4xx are not retried", async () => {
    const requests = put(() => new HttpResponse(null, { status: 404 }));
    const error = await catchError(client().send(points(1)));
    expect(error).toBeInstanceOf(ApptuitHttpError);
    expect(error.statusCode).toBe(404);
    expect(requests).toHaveLength(1);
  });

  it("a failure in the second 50k batch reports it plus nothing from the first", async () => {
    put((_r, n) => new HttpResponse(null, { status: n === 1 ? 204 : 401 }));
    const error = await catchError(client().send(points(50_002)));
    expect(error).toBeInstanceOf(ApptuitAuthError);
    expect(error.undelivered).toHaveLength(2);
  });

  it("timeouts are retried, then → ApptuitNetworkError", async () => {
    // Attempts are counted on arrival, before anything asynchronous: reading the body first
    // (as `put` does) could lose to the 50 ms timeout on a loaded machine.
    let attempts = 0;
    server.use(
      http.post(PUT, async () => {
        attempts++;
        await delay(400);
        return new HttpResponse(null, { status: 204 });
      }),
    );
    const error = await catchError(client({ timeout: 50, retry: { limit: 1, delay: () => 1 } }).send(points(1)));
    expect(error).toBeInstanceOf(ApptuitNetworkError);
    expect(error.timedOut).toBe(true);
    expect(error.message).toMatch(/timed out after 50 ms/);
    expect(error.undelivered).toHaveLength(1);
    expect(attempts).toBe(2);
  });

  it("an AbortSignal cancels the request", async () => {
    put(async () => {
      await delay(2_000);
      return new HttpResponse(null, { status: 204 });
    });
    const controller = new AbortController();
    const pending = client().send(points(2), { signal: controller.signal });
    setTimeout(() => controller.abort(new Error("user cancelled")), 20);
    const error = await catchError(pending);
    expect(error).toBeInstanceOf(ApptuitAbortError);
    expect(error).toBeInstanceOf(ApptuitError);
    expect(error.cause).toEqual(new Error("user cancelled"));
    expect(error.undelivered).toHaveLength(2);
  });

  it("an AbortSignal also ends a wait between retries, at once", async () => {
    const requests = put(() => new HttpResponse(null, { status: 503 }));
    vi.spyOn(Math, "random").mockReturnValue(0.5); // the jittered wait: 30 s
    const controller = new AbortController();
    const started = performance.now();
    const pending = client({ retry: { limit: 2, delay: () => 60_000, backoffLimit: 60_000 } }).send(points(1), {
      signal: controller.signal,
    });
    await vi.waitFor(() => expect(requests).toHaveLength(1), { interval: 1 });
    controller.abort(new Error("user cancelled"));
    const error = await catchError(pending);
    expect(error).toBeInstanceOf(ApptuitAbortError);
    expect(error.undelivered).toHaveLength(1);
    expect(requests).toHaveLength(1);
    expect(performance.now() - started).toBeLessThan(10_000);
    vi.restoreAllMocks();
  });

  it("an already aborted signal makes no request", async () => {
    const requests = put();
    const error = await catchError(client().send(points(1), { signal: AbortSignal.abort() }));
    expect(error).toBeInstanceOf(ApptuitAbortError);
    expect(requests).toHaveLength(0);
  });
});
