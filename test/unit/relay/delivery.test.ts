// Both payload formats delivered end to end to the upstream (the embedded backend behind
// msw), server tags winning over page tags, waitUntil mode, and upstream failures.
import { describe, expect, it, vi } from "vitest";
import { Apptuit } from "../../../src/core/client";
import { COMPACT_CONTENT_TYPE, createRelay, encodeCompact, splitCompact } from "../../../src/relay";
import { compress } from "../../support/requests";
import { expectNoToken, makeRelay, PAGE, post, row, T, TOKEN, UPSTREAM, useUpstream } from "./fixtures";

const { backend } = useUpstream();

/** Server tags as a Worker would take them from `request.cf`. */
const serverTags = (request: Request) => {
  const cf = (request as Request & { cf?: { country?: string; colo?: string } }).cf;
  return { country: cf?.country ?? "ZZ", colo: cf?.colo, source: "relay" };
};

const byMetric = (a: { metric: string; timestamp: number }, b: { metric: string; timestamp: number }) =>
  a.metric.localeCompare(b.metric) || a.timestamp - b.timestamp;

describe("delivery", () => {
  it("forwards OpenTSDB JSON sent as a text/plain beacon, with server tags overriding page tags", async () => {
    const relay = makeRelay({ tags: serverTags });
    const body = [
      row({ tags: { page: "/checkout", country: "FORGED", source: "page" } }),
      row({ metric: "web.page.ttfb", value: 41, timestamp: T + 10 }),
    ];
    const response = await relay(post(JSON.stringify(body)));
    expect(response.status).toBe(204);
    expect(response.headers.get("access-control-allow-origin")).toBe(PAGE);
    expect(backend.stats().puts).toBe(1);
    expect(backend.points().sort(byMetric)).toEqual([
      { metric: "web_page_load_time", timestamp: T, value: 812.5, tags: { page: "/checkout", country: "ZZ", source: "relay" } },
      { metric: "web_page_ttfb", timestamp: T + 10, value: 41, tags: { page: "/checkout", country: "ZZ", source: "relay" } },
    ]);
    await expectNoToken(response);
  });

  it("forwards the compact format (text/plain string beacon and its own content type), milliseconds kept", async () => {
    const relay = makeRelay({ tags: () => ({ country: "DE" }) });
    const points = Array.from({ length: 300 }, (_, i) => ({
      metric: `web.m${i % 3}`,
      timestamp: T + Math.floor(i / 3) * 10 + (i === 0 ? 0.25 : 0),
      value: i / 7,
      tags: { page: `/p${i % 3}`, country: "FORGED" },
    }));
    const [text] = splitCompact(points, 65_536);
    expect(splitCompact(points, 65_536)).toHaveLength(1);
    expect((await relay(post(text!))).status).toBe(204);
    expect((await relay(post(encodeCompact(points.slice(0, 3)), { type: COMPACT_CONTENT_TYPE }))).status).toBe(204);

    const stored = backend.points();
    expect(stored).toHaveLength(303);
    expect(stored.every((p) => p.tags.country === "DE")).toBe(true);
    const first = stored.find((p) => p.metric === "web_m0" && p.value === 0);
    expect(first?.timestamp).toBe(T * 1000 + 250); // the core's wire rule: fractional seconds → milliseconds
    expect(
      stored
        .filter((p) => p.metric === "web_m1")
        .map((p) => p.value)
        .slice(0, 100),
    ).toEqual(points.filter((p) => p.metric === "web.m1").map((p) => p.value));
  });

  it("accepts a gzip-compressed body, a single OpenTSDB row object and millisecond timestamps", async () => {
    const relay = makeRelay();
    const gz = await compress(JSON.stringify([row()]), "gzip");
    expect((await relay(post(gz, { type: "application/json", headers: { "content-encoding": "gzip" } }))).status).toBe(204);
    expect((await relay(post(JSON.stringify(row({ value: 2, timestamp: T * 1000 + 5 }))))).status).toBe(204);
    expect(backend.points().map((p) => [p.value, p.timestamp])).toEqual([
      [812.5, T],
      [2, T * 1000 + 5],
    ]);
  });

  it("answers 204 without any upstream request for an empty array", async () => {
    const response = await makeRelay()(post("[]"));
    expect(response.status).toBe(204);
    expect(backend.stats().requests).toBe(0);
  });

  it("with waitUntil: answers 202 at once, and the upstream has the points once the promise settles", async () => {
    const relay = makeRelay();
    const pending: Promise<unknown>[] = [];
    const response = await relay(post(JSON.stringify([row(), row({ value: 1 })])), { waitUntil: (p) => pending.push(p) });
    expect(response.status).toBe(202);
    expect(pending).toHaveLength(1);
    expect(backend.points()).toHaveLength(0);
    await Promise.all(pending);
    expect(backend.points().map((p) => p.value)).toEqual([812.5, 1]);
  });

  it("answers 502 on upstream failure without leaking upstream details, and reports it", async () => {
    const onError = vi.fn();
    const relay = makeRelay({ onError });
    backend.failNext({ status: 503, times: 2, body: { error: `upstream says ${TOKEN}` } });
    const response = await relay(post(JSON.stringify([row()])));
    expect(response.status).toBe(502);
    expect(await response.clone().json()).toEqual({ error: "upstream write failed" });
    expect(response.headers.get("access-control-allow-origin")).toBe(PAGE);
    await expectNoToken(response);
    expect(onError).toHaveBeenCalledOnce();
    expect(onError.mock.calls[0]![1]).toEqual({ stage: "upstream", points: 1 });
    expect(String(onError.mock.calls[0]![0])).not.toContain(TOKEN);
  });

  it("answers 400 with counts only when the upstream rejects points", async () => {
    const relay = makeRelay();
    backend.failNext({ status: 400, body: { success: 1, failed: 1, errors: [{ datapoint: {}, error: `bad ${TOKEN}` }] } });
    const response = await relay(post(JSON.stringify([row(), row({ value: 3 })])));
    expect(response.status).toBe(400);
    expect(await response.clone().json()).toEqual({ error: "the metrics API rejected 1 of 2 points", success: 1, failed: 1 });
    await expectNoToken(response);
  });

  it("says how many points were stored in an Apptuit-Stored header too, exposed to a cross-origin page", async () => {
    const relay = makeRelay();
    backend.failNext({ status: 400, body: { success: 2, failed: 1, errors: [{ datapoint: {}, error: "bad" }] } });
    const response = await relay(post(JSON.stringify([row(), row({ value: 3 }), row({ value: 4 })])));
    expect(response.status).toBe(400);
    expect(response.headers.get("apptuit-stored")).toBe("2");
    expect(response.headers.get("access-control-allow-origin")).toBe(PAGE);
    const exposed = response.headers
      .get("access-control-expose-headers")!
      .split(",")
      .map((name) => name.trim().toLowerCase());
    expect(exposed).toContain("apptuit-stored");
    expect(await response.clone().json()).toEqual({ error: "the metrics API rejected 1 of 3 points", success: 2, failed: 1 });
  });

  it("with waitUntil: an upstream failure still answers 202 and goes to onError", async () => {
    const onError = vi.fn();
    const relay = makeRelay({ onError });
    backend.failNext({ status: 503, times: 2 });
    const pending: Promise<unknown>[] = [];
    expect((await relay(post(JSON.stringify([row()])), { waitUntil: (p) => pending.push(p) })).status).toBe(202);
    await Promise.all(pending); // settles (the failure is handled), never rejects
    expect(onError).toHaveBeenCalledOnce();
  });

  it("takes token and endpoint from the per-request env (Workers bindings), building one client per env", async () => {
    const relay = createRelay({ allowedOrigins: [PAGE], onError: null, rateLimit: false });
    const env = { APPTUIT_API_TOKEN: TOKEN, APPTUIT_ENDPOINT: UPSTREAM, KV: { get() {} } };
    expect((await relay(post(JSON.stringify([row()])), { env })).status).toBe(204);
    expect((await relay(post(JSON.stringify([row({ value: 5 })])), { env })).status).toBe(204);
    expect(backend.points().map((p) => p.value)).toEqual([812.5, 5]);
  });

  it("answers 500 'not configured' without a token anywhere, forwarding nothing", async () => {
    const onError = vi.fn();
    const relay = createRelay({ allowedOrigins: [PAGE], onError });
    const response = await relay(post(JSON.stringify([row()])));
    expect(response.status).toBe(500);
    expect(await response.json()).toEqual({ error: "relay is not configured" });
    expect(onError.mock.calls[0]![1]).toMatchObject({ stage: "config" });
    expect(backend.stats().requests).toBe(0);
  });

  it("uses a ready client when given one", async () => {
    const client = new Apptuit({ token: TOKEN, endpoint: UPSTREAM, globalTags: { env: "prod" } });
    const relay = createRelay({ client, allowedOrigins: [PAGE] });
    expect((await relay(post(JSON.stringify([row()])))).status).toBe(204);
    expect(backend.points()[0]!.tags).toEqual({ env: "prod", page: "/checkout" });
  });

  it("rejects a server-tag merge that passes 25 tags, before sending", async () => {
    const page = Object.fromEntries(Array.from({ length: 24 }, (_, i) => [`k${i}`, "v"]));
    const relay = makeRelay({ tags: { country: "DE", colo: "FRA" } });
    const response = await relay(post(JSON.stringify([row({ tags: page })])));
    expect(response.status).toBe(400);
    expect((await response.json()).error).toMatch(/25/);
    expect(backend.stats().requests).toBe(0);
  });
});
