// The relay in the real Deno binary: `Deno.serve` around the handler from the built bundle
// (dist/bundle/relay.js), token from Deno.env, forwarding to the embedded backend.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { encodeCompact } from "../../src/relay/index";
import { startDenoRelay, type DenoRelay } from "./deno-relay";
import { canonical, COMPACT_TYPE, expectNoToken, makePoints, PAGE, startUpstream, TOKEN, withTags, type Upstream } from "./support";

// Ten minutes ago: within the relay's accepted timestamps (an hour back, ten minutes ahead).
const T = Math.floor(Date.now() / 1000) - 600;
let upstream: Upstream;
let relay: DenoRelay;

beforeAll(async () => {
  upstream = await startUpstream();
  relay = await startDenoRelay({ allowedOrigins: [PAGE] }, upstream.url);
});
afterAll(async () => {
  await relay?.stop();
  await upstream?.close();
});
beforeEach(() => {
  upstream.backend.reset();
  upstream.authorizations.length = 0;
});

const post = (body: string, type: string, origin = PAGE) =>
  fetch(relay.url, { method: "POST", headers: { "content-type": type, origin }, body });

describe("relay in Deno (Deno.serve, built bundle)", () => {
  it.each([
    ["compact as a text/plain string beacon", "text/plain;charset=UTF-8", "compact"],
    ["compact with its own content type", COMPACT_TYPE, "compact"],
    ["OpenTSDB JSON as application/json", "application/json", "opentsdb"],
    ["OpenTSDB JSON as a text/plain string beacon", "text/plain;charset=UTF-8", "opentsdb"],
  ])("%s: 204 once stored, every point arrives with the server tag, token only upstream", async (_name, type, format) => {
    const points = makePoints(`web_deno_${format}`, 30, T, { page: "/checkout" });
    const body = format === "compact" ? encodeCompact(points) : JSON.stringify(points);
    const response = await post(body, type);
    expect(response.status).toBe(204);
    expect(response.headers.get("access-control-allow-origin")).toBe(PAGE);
    expect(response.headers.get("access-control-allow-credentials")).toBe("true");
    await expectNoToken(response);
    // Without waitUntil the relay answers after the write: the points are already there.
    expect(canonical(upstream.backend.points())).toEqual(canonical(withTags(points, { relay: "deno" })));
    expect(upstream.backend.stats().puts).toBe(1);
    expect(upstream.authorizations).toEqual([`Bearer ${TOKEN}`]);
  });

  it("answers a preflight from an allowed origin with the origin echoed and credentials allowed", async () => {
    const response = await fetch(relay.url, {
      method: "OPTIONS",
      headers: { origin: PAGE, "access-control-request-method": "POST", "access-control-request-headers": "content-type" },
    });
    expect(response.status).toBe(204);
    expect(Object.fromEntries(response.headers)).toMatchObject({
      "access-control-allow-origin": PAGE,
      "access-control-allow-credentials": "true",
      "access-control-allow-methods": "POST",
    });
    expect(upstream.backend.stats().requests).toBe(0);
  });

  it("refuses another origin with 403 and forwards nothing", async () => {
    const response = await post(encodeCompact(makePoints("web_deno_evil", 3, T)), "text/plain", "https://evil.example");
    expect(response.status).toBe(403);
    expect(response.headers.get("access-control-allow-origin")).toBeNull();
    await expectNoToken(response);
    expect(upstream.backend.stats().requests).toBe(0);
  });

  it("never prints the token", () => {
    expect(relay.process.output()).not.toContain(TOKEN);
  });
});
