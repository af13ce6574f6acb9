// The token never leaves through a URL, a log line, an error (message, stack, JSON,
// inspect, cause chain) or a relay response — even when the server echoes it back in
// every error body it sends.
import { format } from "node:util";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { Apptuit } from "../../src/core/client";
import { MetricsRegistry } from "../../src/registry";
import { ApptuitReporter } from "../../src/reporter";
import { createRelay } from "../../src/relay";
import { closedPortUrl, FaultServer, type Fault } from "./fault-server";
import { renderings, TOKEN } from "./support";

let server: FaultServer;
const logged: string[] = [];
beforeEach(async () => {
  server = await FaultServer.start();
  logged.length = 0;
  for (const level of ["log", "info", "warn", "error", "debug", "trace"] as const) {
    vi.spyOn(console, level).mockImplementation((...args: unknown[]) => void logged.push(format(...args)));
  }
});
afterEach(async () => {
  vi.restoreAllMocks();
  await server.close();
});

/** Hostile server: every error body quotes the token, the Authorization header and the URL. */
const echo = `{"error":"bad token ${TOKEN}","auth":"Authorization: Bearer ${TOKEN}"}`;
const faults: Fault[] = [
  { kind: "status", status: 500, body: echo },
  { kind: "status", status: 502, body: `<html>${TOKEN}</html>` },
  { kind: "status", status: 503, headers: { "retry-after": "0" }, body: echo },
  { kind: "status", status: 429, headers: { "retry-after": "0" }, body: echo },
  { kind: "status", status: 401, body: echo },
  { kind: "status", status: 403, body: `{"status":"error","errorType":"auth","error":"token ${TOKEN} lacks write"}` },
  { kind: "status", status: 400, body: `not json ${TOKEN}` },
  { kind: "status", status: 400, body: `{"success":0,"failed":"${TOKEN}"}` },
  { kind: "partial", reject: () => true },
  { kind: "reset-mid-body" },
  { kind: "stall" },
];

async function expectNoToken(what: string, values: unknown[]): Promise<void> {
  for (const value of values) {
    for (const text of typeof value === "string" ? [value] : await renderings(value)) {
      expect(text.includes(TOKEN), `${what} leaks the token: ${text.slice(0, 300)}`).toBe(false);
    }
  }
}

describe("the token stays secret under every fault", () => {
  it("client errors (send, query, promQuery) and the reporter's default log lines never hold it", async () => {
    const errors: unknown[] = [];
    const client = new Apptuit({ token: TOKEN, endpoint: server.url, retry: { limit: 1, delay: () => 5 }, timeout: 150 });
    const point = { metric: "leak.check", tags: { a: "b" }, timestamp: 1_700_000_000, value: 1 };
    for (const fault of faults) {
      server.plan = [fault, fault];
      errors.push(await client.send([point]).catch((e: unknown) => e));
    }
    // 400 details whose rows quote the token.
    server.plan = [
      {
        kind: "status",
        status: 400,
        body: JSON.stringify({ success: 0, failed: 1, errors: [{ datapoint: { metric: TOKEN }, error: `token ${TOKEN}` }] }),
      },
    ];
    errors.push(await client.send([point]).catch((e: unknown) => e));
    for (const body of [
      echo,
      `<html>${TOKEN}</html>`,
      `{"outputs":[{"id":"${TOKEN}","result":[{"metric":1}]}]}`,
      `{"status":"error","errorType":"x","error":"${TOKEN}"}`,
      `{"status":"${TOKEN}"}`,
      `{"outputs":[{"id":"a","result":[{"metric":"m","tags":{},"dps":[[1,"${TOKEN}"]]}]}]}`,
    ]) {
      for (const status of [200, 400, 500]) {
        server.queryReply = { status, body };
        errors.push(await client.query("fetch('m')", { start: 1_700_000_000 }).catch((e: unknown) => e));
        errors.push(await client.promQuery("up", { start: 1_700_000_000, end: 1_700_000_060, step: 15 }).catch((e: unknown) => e));
      }
    }
    const refused = new Apptuit({ token: TOKEN, endpoint: await closedPortUrl(), retry: 0 });
    errors.push(await refused.send([point]).catch((e: unknown) => e));
    expect(errors.every((e) => e instanceof Error)).toBe(true);

    // The reporter with its default error handler (console.warn), through every fault.
    const registry = new MetricsRegistry();
    registry.counter("leak.count", { a: "b" }).inc();
    const reporter = new ApptuitReporter({
      registry,
      token: TOKEN,
      endpoint: server.url,
      retry: { limit: 1, delay: () => 5 },
      clientOptions: { timeout: 150 },
    });
    for (const fault of faults) {
      server.plan = [fault, fault];
      const result = await reporter.flush();
      errors.push(...result.errors);
    }
    expect(logged.length).toBeGreaterThan(faults.length - 2); // the handler did log
    await expectNoToken("an error", errors);
    await expectNoToken("a log line", logged);
    // The token went where it belongs, and only there.
    for (const request of server.requests) {
      expect(request.url).not.toContain(TOKEN);
      expect(request.authorization).toBe(`Bearer ${TOKEN}`);
    }
    expect(server.requests.length).toBeGreaterThan(30);
  });

  it("the client object itself does not show it (inspect, JSON, spread)", async () => {
    const client = new Apptuit({ token: TOKEN, endpoint: server.url });
    await expectNoToken("the client", [client, { ...client }, client.endpoints]);
  });
});

describe("relay responses and logs never carry the token", () => {
  const page = (body: string, init: { type?: string; origin?: string; method?: string; encoding?: string } = {}) =>
    new Request("http://relay.test/apptuit", {
      method: init.method ?? "POST",
      headers: {
        "content-type": init.type ?? "application/json",
        ...(init.origin ? { origin: init.origin } : {}),
        ...(init.encoding ? { "content-encoding": init.encoding } : {}),
      },
      ...(init.method === "GET" || init.method === "OPTIONS" ? {} : { body }),
    });
  const row = (metric = "page.lcp") =>
    JSON.stringify([{ metric, timestamp: Math.floor(Date.now() / 1000) - 600, value: 1, tags: { a: "b" } }]);

  it("for every answer: 204, 400, 403, 405, 413, 415, 429, 502 and the preflight", async () => {
    const relay = createRelay({
      token: TOKEN,
      endpoint: server.url,
      allowedOrigins: ["https://shop.test"],
      allowedPrefixes: ["page."],
      maxPoints: 3,
      rateLimit: { requests: 12, windowMs: 60_000 },
      clientOptions: { retry: 0 },
    });
    const call = (request: Request) => relay(request, { clientId: "page-1" }); // unkeyed requests are not rate-limited
    const answers: Response[] = [];
    server.plan = [
      { kind: "ok" },
      { kind: "partial", reject: () => true },
      { kind: "status", status: 500, body: echo },
      { kind: "status", status: 401, body: echo },
    ];
    answers.push(await call(page(row())));
    answers.push(await call(page(row())));
    answers.push(await call(page(row())));
    answers.push(await call(page(row())));
    answers.push(await call(page("[{")));
    answers.push(await call(page(row("secret.metric"))));
    answers.push(await call(page(row(), { origin: "https://evil.test" })));
    answers.push(await call(page("", { method: "GET" })));
    answers.push(await call(page(JSON.stringify(Array.from({ length: 4 }, () => JSON.parse(row())[0])))));
    answers.push(await call(page(row(), { type: "application/xml" })));
    answers.push(await call(page(row(), { origin: "https://shop.test", method: "OPTIONS" })));
    for (let i = 0; i < 20; i++) answers.push(await call(page(row())));
    const statuses = new Set(answers.map((a) => a.status));
    for (const status of [204, 400, 403, 405, 413, 415, 429, 502]) expect(statuses, `status ${status} was exercised`).toContain(status);
    for (const answer of answers) {
      const text = await answer.text();
      expect(text).not.toContain(TOKEN);
      answer.headers.forEach((value) => expect(value).not.toContain(TOKEN));
    }
    await expectNoToken("a relay log line", logged);
    expect(logged.length).toBeGreaterThan(0); // upstream failures were logged, without the token
  });

  it("a relay without a token answers 500 'not configured' without details", async () => {
    const relay = createRelay({ endpoint: server.url });
    const answer = await relay(page(row()), { env: { OTHER: TOKEN } });
    expect(answer.status).toBe(500);
    expect(await answer.text()).not.toContain(TOKEN);
    await expectNoToken("a relay log line", logged);
  });
});
