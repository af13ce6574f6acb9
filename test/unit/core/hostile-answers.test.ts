// What a server's answers can do to the client, at the HTTP level (msw): redaction only
// where text becomes a message (data is never rewritten, escaped echoes are caught),
// strict Retry-After, clamped counts, capped detail rows, a point too large alone, and
// a backend without auth. The same hostile scripts over real sockets: test/reliability.
import { http, HttpResponse } from "msw";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { ApptuitHttpError, ApptuitResponseError, ApptuitSendError, MAX_REASONS, type WirePoint } from "../../../src/core";
import { BASE, Client, catchError, points, QUERY_BASE, record, type Recorded, server } from "./helpers";

beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

const fast = { retry: { limit: 2, delay: () => 5 } };

function put(respond: (r: Recorded, n: number) => Response | Promise<Response>) {
  const requests: Recorded[] = [];
  server.use(http.post(`${BASE}/api/put`, async ({ request }) => respond(await record(request, requests), requests.length)));
  return requests;
}

function queryAnswer(text: string, status = 200) {
  server.use(
    http.get(`${QUERY_BASE}/api/query`, () => new HttpResponse(text, { status, headers: { "content-type": "application/json" } })),
  );
}

const answer = {
  outputs: [{ id: "clicks", result: [{ metric: "demo.clicks", tags: { tab: "t" }, dps: [[1_700_000_000, 3]] }] }],
};

describe("redaction: on decoded strings, where text becomes a message", () => {
  for (const token of ["t", "demo"]) {
    it(`a valid answer holding the token (${JSON.stringify(token)}) is read as sent`, async () => {
      queryAnswer(JSON.stringify(answer));
      const client = new Client({ token, endpoint: BASE, queryEndpoint: QUERY_BASE, ...fast });
      const result = await client.query("fetch('demo.clicks')", { start: 0 });
      const series = result.get("clicks")!.series[0]!;
      expect(series.metric).toBe("demo.clicks");
      expect(series.tags).toEqual({ tab: "t" });
    });
  }

  const SECRET = "tok/SECRET-9bd1";
  const escapes: [string, string][] = [
    ["\\u-escaped", SECRET.replace(/[a-z]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`)],
    ["PHP's \\/", SECRET.replace("/", "\\/")],
  ];
  for (const [name, echoed] of escapes) {
    it(`a token echoed ${name} in a JSON error body never reaches the error`, async () => {
      put(() => new HttpResponse(`{"error":"bad token ${echoed}","errorType":"auth ${echoed}"}`, { status: 401 }));
      const client = new Client({ token: SECRET, endpoint: BASE, ...fast });
      const error = await catchError(client.send(points(1)));
      expect(error.message).toContain("[token]");
      for (const text of [error.message, error.error, error.errorType, JSON.stringify(error)]) expect(String(text)).not.toContain(SECRET);
    });

    it(`a token echoed ${name} in a non-JSON body or a 400's rows never reaches the error`, async () => {
      put((_, n) =>
        n === 1
          ? new HttpResponse(`<html>denied: ${echoed}</html>`, { status: 422 })
          : HttpResponse.json({ success: 0, failed: 1, errors: [{ datapoint: {}, error: `no ${SECRET}` }] }, { status: 400 }),
      );
      const client = new Client({ token: SECRET, endpoint: BASE, ...fast });
      const first = await catchError(client.send(points(1)));
      const second = await catchError(client.send(points(1)));
      expect(first.message).toContain("denied: [token]");
      expect(second.message).toContain("no [token]");
      for (const e of [first, second]) expect(`${e.message}${JSON.stringify(e.errors ?? [])}`).not.toContain(SECRET);
    });

    it(`a malformed query answer quoting the token ${name} does not leak it`, async () => {
      queryAnswer(`{"outputs":[{"id":"${echoed}","result":"${echoed}"}]}`);
      const client = new Client({ token: SECRET, endpoint: BASE, queryEndpoint: QUERY_BASE, ...fast });
      const error = await catchError(client.query("q", { start: 0 }));
      expect(error).toBeInstanceOf(ApptuitResponseError);
      expect(`${error.message}${JSON.stringify(error.issues)}`).not.toContain(SECRET);
    });
  }
});

describe("Retry-After, parsed strictly", () => {
  it("garbage backs off normally instead of waiting the cap", async () => {
    const requests = put(
      (_, n) => new HttpResponse(null, { status: n === 1 ? 429 : 204, headers: n === 1 ? { "retry-after": "soon, maybe" } : {} }),
    );
    const client = new Client({ token: "x", endpoint: BASE, retry: { limit: 1, delay: () => 5, maxRetryAfter: 20_000 } });
    const started = performance.now();
    await client.send(points(1));
    expect(requests).toHaveLength(2);
    expect(performance.now() - started).toBeLessThan(5_000);
  });

  it("a negative one retries at once, with no negative timer", async () => {
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(w.name);
    process.on("warning", onWarning);
    try {
      const requests = put(
        (_, n) => new HttpResponse(null, { status: n === 1 ? 503 : 204, headers: n === 1 ? { "retry-after": "-30" } : {} }),
      );
      await new Client({ token: "x", endpoint: BASE, retry: { limit: 1, delay: () => 60_000 } }).send(points(1));
      expect(requests).toHaveLength(2);
      await new Promise((resolve) => setImmediate(resolve));
      expect(warnings).not.toContain("TimeoutNegativeWarning");
    } finally {
      process.off("warning", onWarning);
    }
  });
});

describe("server counts and rows", () => {
  it("failed: 1000000 for 3 points is clamped to 3", async () => {
    put(() => HttpResponse.json({ success: 0, failed: 1_000_000, errors: [{ error: "no" }] }, { status: 400 }));
    const client = new Client({ token: "x", endpoint: BASE, ...fast });
    const outcome = await client.deliver(client.prepare(points(3)));
    expect(outcome).toMatchObject({ stored: 0, rejected: 3, undelivered: [] });
    const error = await catchError(client.send(points(3)));
    expect(error).toBeInstanceOf(ApptuitSendError);
    expect(error.failed).toBe(3);
  });

  it("a 400 with 130,000 rows: no RangeError, reasons capped", async () => {
    const rows = Array.from({ length: 130_000 }, (_, i) => ({ error: `bad ${i}` }));
    const body = JSON.stringify({ success: 0, failed: 130_000, errors: rows });
    put(() => new HttpResponse(body, { status: 400, headers: { "content-type": "application/json" } }));
    const client = new Client({ token: "x", endpoint: BASE, ...fast });
    const error = await catchError(client.send(points(5)));
    expect(error).toBeInstanceOf(ApptuitSendError);
    expect(error.failed).toBe(5);
    expect(error.errors).toHaveLength(MAX_REASONS);
  });
});

describe("a point too large alone", () => {
  it("is rejected alone; the rest of its batch is stored", async () => {
    const LIMIT = 20_000;
    const requests = put((r) => new HttpResponse(null, { status: r.body.length > LIMIT ? 413 : 204 }));
    const client = new Client({ token: "x", endpoint: BASE, ...fast });
    const big = { metric: "big", tags: { blob: "x".repeat(1_000) }, timestamp: 1_700_000_000, value: 1 };
    const huge: WirePoint = { ...big, tags: Object.fromEntries(Array.from({ length: 24 }, (_, i) => [`k${i}`, "y".repeat(1_000)])) };
    const prepared = [huge, ...client.prepare(points(1_008))];
    const outcome = await client.deliver(prepared);
    expect(outcome.stored).toBe(1_008);
    expect(outcome.rejected).toBe(1);
    expect(outcome.rejectedStatus).toBe(413);
    expect(outcome.undelivered).toEqual([]);
    const stored = requests.filter((r) => r.body.length <= LIMIT).flatMap((r) => JSON.parse(r.body) as WirePoint[]);
    expect(stored).toHaveLength(1_008);
  });
});

describe("a backend without auth", () => {
  for (const options of [{ token: null }, { auth: false as const }]) {
    it(`${JSON.stringify(options)}: no Authorization header, no token needed`, async () => {
      const requests = put(() => new HttpResponse(null, { status: 204 }));
      await new Client({ ...options, endpoint: BASE }).send(points(1));
      expect(requests[0]!.headers.has("authorization")).toBe(false);
    });
  }

  it("without a token and without saying so is still a config error", () => {
    expect(() => new Client({ endpoint: BASE })).toThrow(/No API token/);
  });
});

it("a redirect on a write is an error naming its target, not followed", async () => {
  const requests = put(() => new HttpResponse(null, { status: 307, headers: { location: "https://elsewhere.test/api/put?k=1" } }));
  let followed = 0;
  server.use(http.post("https://elsewhere.test/api/put", () => (followed++, new HttpResponse(null, { status: 204 }))));
  const error = await catchError(new Client({ token: "x", endpoint: BASE, ...fast }).send(points(1)));
  expect(error).toBeInstanceOf(ApptuitHttpError);
  expect(error.message).toContain("redirected (307) to https://elsewhere.test/api/put");
  expect(requests).toHaveLength(1);
  expect(followed).toBe(0);
});
