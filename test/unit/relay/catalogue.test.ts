// The bad-input catalogue: every hostile or broken request gets its documented status,
// a JSON body saying what was wrong, and nothing reaches the upstream.
import { afterEach, describe, expect, it } from "vitest";
import { encodeCompact } from "../../../src/relay";
import { compress } from "../../support/requests";
import { expectNoToken, makeRelay, PAGE, post, row, T, useUpstream } from "./fixtures";

const { backend } = useUpstream();
const relay = makeRelay({ allowedPrefixes: ["web."], maxPoints: 100 });

afterEach(() => {
  // Nothing refused may ever have been forwarded.
  expect(backend.stats().requests).toBe(0);
});

const big = "x".repeat(70_000);
const tags26 = Object.fromEntries(Array.from({ length: 26 }, (_, i) => [`k${i}`, "v"]));
const compact = (extra: Record<string, unknown>) =>
  JSON.stringify({ v: 1, t0: T, k: ["web.a", "page", "/"], s: [[0, 1, 2]], p: [[0, 0, 1]], ...extra });

interface Case {
  name: string;
  request: () => Request | Promise<Request>;
  status: number;
  error: RegExp;
  path?: string;
}

const cases: Case[] = [
  {
    name: "oversized body",
    request: () => post(JSON.stringify([row({ tags: { page: big } })])),
    status: 413,
    error: /larger than 65536 bytes/,
  },
  {
    name: "oversized body under a lying Content-Length",
    request: () => post(JSON.stringify([row({ tags: { page: big } })]), { headers: { "content-length": "100" } }),
    status: 413,
    error: /larger than/,
  },
  {
    name: "oversized gzip bomb (small as sent, huge once inflated)",
    request: async () =>
      post(await compress(JSON.stringify([row({ tags: { page: "y".repeat(2_000_000) } })]), "gzip"), {
        headers: { "content-encoding": "gzip" },
      }),
    status: 413,
    error: /larger than 1048576 bytes/,
  },
  {
    name: "too many points (OpenTSDB)",
    request: () => post(JSON.stringify(Array.from({ length: 101 }, () => row()))),
    status: 413,
    error: /101 points, more than the 100 allowed/,
  },
  {
    name: "too many points (compact)",
    request: () =>
      post(encodeCompact(Array.from({ length: 101 }, (_, i) => ({ metric: "web.a", timestamp: T + i, value: i, tags: { a: "b" } })))),
    status: 413,
    error: /101 points/,
  },
  { name: "truncated JSON", request: () => post('[{"metric":"web.a","timestamp":1760000000,"val'), status: 400, error: /invalid JSON/ },
  { name: "empty body", request: () => post(""), status: 400, error: /empty body/ },
  { name: "not UTF-8", request: () => post(new Uint8Array([0x5b, 0xff, 0xfe, 0x5d])), status: 400, error: /UTF-8/ },
  { name: "neither format", request: () => post('{"hello":"world"}'), status: 400, error: /OpenTSDB points or a compact payload/ },
  {
    name: "value as a string",
    request: () => post(JSON.stringify([row({ value: "12" })])),
    status: 400,
    error: /value must be a finite number/,
    path: "[0].value",
  },
  {
    name: "metric as a number",
    request: () => post(JSON.stringify([row(), row({ metric: 42 })])),
    status: 400,
    error: /string/,
    path: "[1].metric",
  },
  {
    name: "timestamp as a string",
    request: () => post(JSON.stringify([row({ timestamp: "now" })])),
    status: 400,
    error: /timestamp must be a number/,
    path: "[0].timestamp",
  },
  {
    name: "tags as an array",
    request: () => post(JSON.stringify([row({ tags: ["a", "b"] })])),
    status: 400,
    error: /tags must be an object/,
    path: "[0].tags",
  },
  {
    name: "tag value as a number",
    request: () => post(JSON.stringify([row({ tags: { page: 3 } })])),
    status: 400,
    error: /string/,
    path: "[0].tags.page",
  },
  {
    name: "compact with a string index",
    request: () => post(compact({ s: [["0", 1, 2]] })),
    status: 400,
    error: /indices/,
    path: "s[0][0]",
  },
  {
    name: "NaN literal (not JSON)",
    request: () => post(`[{"metric":"web.a","timestamp":${T},"value":NaN,"tags":{"a":"b"}}]`),
    status: 400,
    error: /invalid JSON/,
  },
  {
    name: '"NaN" string value',
    request: () => post(JSON.stringify([row({ value: "NaN" })])),
    status: 400,
    error: /finite number/,
    path: "[0].value",
  },
  {
    name: "null value (JSON.stringify(NaN))",
    request: () => post(JSON.stringify([row({ value: NaN })])),
    status: 400,
    error: /finite number/,
    path: "[0].value",
  },
  {
    name: '"NaN" in a compact run',
    request: () => post(compact({ p: [[0, 0, "NaN"]] })),
    status: 400,
    error: /finite numbers/,
    path: "p[0][2]",
  },
  {
    name: "huge tag set (26 tags)",
    request: () => post(JSON.stringify([row({ tags: tags26 })])),
    status: 400,
    error: /at most 25 tags/,
    path: "[0].tags",
  },
  {
    name: "huge tag set (26 tags, compact)",
    request: () => post(encodeCompact([{ metric: "web.a", timestamp: T, value: 1, tags: tags26 }])),
    status: 400,
    error: /at most 25 tags/,
    path: "s[0]",
  },
  {
    name: "__proto__ tag key",
    request: () => post(`[{"metric":"web.a","timestamp":${T},"value":1,"tags":{"__proto__":"x","page":"/"}}]`),
    status: 400,
    error: /forbidden tag key/,
    path: "[0].tags",
  },
  {
    name: "constructor tag key",
    request: () => post(JSON.stringify([row({ tags: { constructor: "x" } })])),
    status: 400,
    error: /forbidden tag key/,
    path: "[0].tags",
  },
  {
    name: "__proto__ tag key (compact)",
    request: () => post(compact({ k: ["web.a", "__proto__", "/"] })),
    status: 400,
    error: /forbidden tag key "__proto__"/,
    path: "s[0][1]",
  },
  {
    name: "no tag at all (write API rule, checked by the core client)",
    request: () => post(JSON.stringify([row(), row({ tags: {} })])),
    status: 400,
    error: /datapoint #1/,
    path: "[1].tags",
  },
  {
    name: "wrong origin",
    request: () => post(JSON.stringify([row()]), { origin: "https://evil.example" }),
    status: 403,
    error: /origin not allowed/,
  },
  {
    name: "disallowed prefix",
    request: () => post(JSON.stringify([row(), row({ metric: "billing.charge" })])),
    status: 403,
    error: /not under an allowed prefix/,
    path: "[1].metric",
  },
  {
    name: "unsupported content type",
    request: () => post("a=1", { type: "application/x-www-form-urlencoded" }),
    status: 415,
    error: /Content-Type/,
  },
  {
    name: "unsupported content encoding",
    request: () => post("[]", { headers: { "content-encoding": "br" } }),
    status: 415,
    error: /Content-Encoding/,
  },
  {
    name: "not POST",
    request: () => new Request("https://relay.example/apptuit", { method: "PUT", headers: { origin: PAGE }, body: "[]" }),
    status: 405,
    error: /use POST/,
  },
];

describe("bad-input catalogue", () => {
  it.each(cases)("$name → $status", async ({ request, status, error, path }) => {
    const response = await relay(await request());
    expect(response.status).toBe(status);
    expect(response.headers.get("content-type")).toBe("application/json");
    const body = await response.clone().json();
    expect(body.error).toMatch(error);
    expect(body.path).toBe(path);
    await expectNoToken(response);
  });

  it("answers refusals to an allowed origin with CORS headers, so the page can read them", async () => {
    const response = await relay(post("[{"));
    expect(response.status).toBe(400);
    expect(response.headers.get("access-control-allow-origin")).toBe(PAGE);
    expect(response.headers.get("access-control-allow-credentials")).toBe("true");
  });

  it("answers a wrong origin without CORS headers, for POST and preflight alike", async () => {
    const preflight = await relay(
      new Request("https://relay.example/apptuit", {
        method: "OPTIONS",
        headers: { origin: "https://evil.example", "access-control-request-method": "POST" },
      }),
    );
    const postResponse = await relay(post(JSON.stringify([row()]), { origin: "https://evil.example" }));
    for (const response of [preflight, postResponse]) {
      expect(response.status).toBe(403);
      expect(response.headers.get("access-control-allow-origin")).toBeNull();
      expect(response.headers.get("vary")).toBe("Origin");
    }
  });

  it("stops reading a chunked body as soon as it passes the limit", async () => {
    let pulled = 0;
    let cancelled = false;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulled++;
        controller.enqueue(new TextEncoder().encode("[".repeat(8_192)));
      },
      cancel() {
        cancelled = true;
      },
    });
    const response = await relay(post(body));
    expect(response.status).toBe(413);
    expect(cancelled).toBe(true);
    expect(pulled).toBeLessThan(20); // an endless stream: ~9 chunks of 8 KiB pass 64 KiB
  });

  it("leaves Object.prototype untouched after __proto__ payloads", async () => {
    await relay(post(`[{"metric":"web.a","timestamp":${T},"value":1,"tags":{"__proto__":{"polluted":"yes"}}}]`));
    await relay(post(compact({ k: ["web.a", "__proto__", "polluted"] })));
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
