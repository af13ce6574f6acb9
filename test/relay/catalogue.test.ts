// The bad-input catalogue over real sockets: a Deno server running the built relay, each
// hostile or broken request answered with its documented status and a JSON error, and
// nothing forwarded (the backend's put count does not move). The unit suite covers more
// cases in-process (test/unit/relay/catalogue.test.ts); this proves the answers hold on
// the wire, through a real HTTP server and runtime.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { encodeCompact } from "../../src/relay/index";
import { startDenoRelay, type DenoRelay } from "./deno-relay";
import { expectNoToken, PAGE, sleep, startUpstream, TOKEN, type Upstream } from "./support";

// Ten minutes ago: within the relay's accepted timestamps (an hour back, ten minutes ahead).
const T = Math.floor(Date.now() / 1000) - 600;
const FLOOD_LIMIT = 5;
// 5 an hour: one token every 12 minutes, so none can refill during the flood however slow
// the machine is (the test times out long before), and the 429s below are exact.
const FLOOD_WINDOW_MS = 3_600_000;
const REFILL_S = FLOOD_WINDOW_MS / FLOOD_LIMIT / 1000;
let upstream: Upstream;
let relay: DenoRelay;
let limited: DenoRelay;

beforeAll(async () => {
  upstream = await startUpstream();
  [relay, limited] = await Promise.all([
    startDenoRelay({ allowedOrigins: [PAGE], allowedPrefixes: ["web_"], rateLimit: false }, upstream.url),
    startDenoRelay({ allowedOrigins: [PAGE], rateLimit: { requests: FLOOD_LIMIT, windowMs: FLOOD_WINDOW_MS } }, upstream.url),
  ]);
});
afterAll(async () => {
  await relay?.stop();
  await limited?.stop();
  await upstream?.close();
});

const row = (overrides: Record<string, unknown> = {}) => ({
  metric: "web_lcp",
  timestamp: T,
  value: 812.5,
  tags: { page: "/" },
  ...overrides,
});
const compact = (extra: Record<string, unknown>) =>
  JSON.stringify({ v: 1, t0: T, k: ["web_lcp", "page", "/"], s: [[0, 1, 2]], p: [[0, 0, 1]], ...extra });
const tags26 = Object.fromEntries(Array.from({ length: 26 }, (_, i) => [`k${i}`, "v"]));

interface Case {
  name: string;
  body: string;
  status: number;
  error: RegExp;
  type?: string;
  origin?: string;
}

const cases: Case[] = [
  {
    name: "oversized body (70 kB > 64 KiB)",
    body: JSON.stringify([row({ tags: { page: "x".repeat(70_000) } })]),
    status: 413,
    error: /larger than 65536 bytes/,
  },
  { name: "truncated JSON", body: JSON.stringify([row(), row()]).slice(0, 60), status: 400, error: /invalid JSON/ },
  {
    name: "wrong type: value as a string",
    body: JSON.stringify([row({ value: "812.5" })]),
    status: 400,
    error: /value must be a finite number/,
  },
  {
    name: "wrong type: tags as an array",
    body: JSON.stringify([row({ tags: ["page", "/"] })]),
    status: 400,
    error: /tags must be an object/,
  },
  { name: "wrong type: compact series index as a string", body: compact({ s: [["0", 1, 2]] }), status: 400, error: /indices/ },
  {
    name: "NaN (not JSON)",
    body: `[{"metric":"web_lcp","timestamp":${T},"value":NaN,"tags":{"page":"/"}}]`,
    status: 400,
    error: /invalid JSON/,
  },
  { name: "NaN in a compact run", body: compact({ p: [[0, 0, "NaN"]] }), status: 400, error: /finite numbers/ },
  {
    name: "Infinity (1e999)",
    body: `[{"metric":"web_lcp","timestamp":${T},"value":1e999,"tags":{"page":"/"}}]`,
    status: 400,
    error: /value must be a finite number/,
  },
  { name: "26 tags (OpenTSDB)", body: JSON.stringify([row({ tags: tags26 })]), status: 400, error: /at most 25 tags per point/ },
  {
    name: "26 tags (compact)",
    body: compact({ k: ["web_lcp", "v", ...Object.keys(tags26)], s: [[0, ...Object.keys(tags26).flatMap((_, i) => [i + 2, 1])]] }),
    status: 400,
    error: /at most 25 tags/,
  },
  {
    name: "__proto__ tag key (OpenTSDB)",
    body: `[{"metric":"web_lcp","timestamp":${T},"value":1,"tags":{"__proto__":{"admin":"1"}}}]`,
    status: 400,
    error: /forbidden tag key \(__proto__/,
  },
  {
    name: "__proto__ tag key (compact)",
    body: compact({ k: ["web_lcp", "__proto__", "x"] }),
    status: 400,
    error: /forbidden tag key "__proto__"/,
  },
  {
    name: "constructor tag key (compact)",
    body: compact({ k: ["web_lcp", "constructor", "x"] }),
    status: 400,
    error: /forbidden tag key "constructor"/,
  },
  { name: "wrong origin", body: JSON.stringify([row()]), origin: "https://evil.example", status: 403, error: /origin not allowed/ },
  {
    name: "disallowed metric prefix",
    body: JSON.stringify([row(), row({ metric: "admin_billing" })]),
    status: 403,
    error: /metric "admin_billing" is not under an allowed prefix/,
  },
  {
    name: "unsupported content type",
    body: JSON.stringify([row()]),
    type: "application/x-www-form-urlencoded",
    status: 415,
    error: /Content-Type/,
  },
];

describe("bad-input catalogue through the relay in Deno", () => {
  it("a valid request through the same relay is forwarded (so 'nothing forwarded' below means something)", async () => {
    const before = upstream.backend.stats().puts;
    const response = await fetch(relay.url, {
      method: "POST",
      headers: { origin: PAGE, "content-type": "text/plain" },
      body: encodeCompact([row() as never]),
    });
    expect(response.status).toBe(204);
    expect(upstream.backend.stats().puts).toBe(before + 1);
  });

  it.each(cases)("$name → $status, nothing forwarded", async ({ body, status, error, type, origin }) => {
    const before = upstream.backend.stats();
    const response = await fetch(relay.url, {
      method: "POST",
      headers: { origin: origin ?? PAGE, "content-type": type ?? "text/plain;charset=UTF-8" },
      body,
    });
    expect(response.status).toBe(status);
    expect(response.headers.get("content-type")).toMatch(/^application\/json/);
    const answer = JSON.parse(await expectNoToken(response)) as { error: string };
    expect(answer.error).toMatch(error);
    expect(upstream.backend.stats().requests).toBe(before.requests);
    expect(upstream.backend.stats().puts).toBe(before.puts);
  });

  it(`a flood beyond ${FLOOD_LIMIT} requests an hour from one client → 429 with Retry-After, and only the first ${FLOOD_LIMIT} are forwarded`, async () => {
    const before = upstream.backend.stats().puts;
    const statuses: number[] = [];
    const refused: Response[] = [];
    for (let i = 0; i < 3 * FLOOD_LIMIT; i++) {
      const response = await fetch(limited.url, {
        method: "POST",
        headers: { origin: PAGE, "content-type": "text/plain" },
        body: JSON.stringify([row({ value: i })]),
      });
      statuses.push(response.status);
      if (response.status === 429) refused.push(response);
      else await response.arrayBuffer();
    }
    expect(statuses).toEqual([...Array(FLOOD_LIMIT).fill(204), ...Array(2 * FLOOD_LIMIT).fill(429)]);
    for (const response of refused) {
      // The wait for the next token: at most the 720 s refill interval, and close to all of it,
      // since the flood takes seconds (it would need 120 s to bring this under 600).
      expect(Number(response.headers.get("retry-after"))).toBeGreaterThan(REFILL_S - 120);
      expect(Number(response.headers.get("retry-after"))).toBeLessThanOrEqual(REFILL_S);
      // The page may read Retry-After (credentialed CORS exposes only listed headers).
      expect(response.headers.get("access-control-expose-headers")).toMatch(/retry-after/i);
      expect(JSON.parse(await expectNoToken(response))).toEqual({ error: "rate limit exceeded" });
    }
    await sleep(200);
    expect(upstream.backend.stats().puts).toBe(before + FLOOD_LIMIT);
    expect(
      upstream.backend
        .points()
        .filter((p) => p.metric === "web_lcp")
        .map((p) => p.value)
        .slice(-FLOOD_LIMIT),
    ).toEqual([0, 1, 2, 3, 4]);
  });

  it("never prints the token", () => {
    expect(relay.process.output() + limited.process.output()).not.toContain(TOKEN);
  });
});
