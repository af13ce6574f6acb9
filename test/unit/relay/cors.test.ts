import { describe, expect, it } from "vitest";
import { ApptuitConfigError } from "../../../src/core/errors/config-error";
import { createRelay } from "../../../src/relay";
import { makeRelay, PAGE, post, RELAY_URL, row, useUpstream } from "./fixtures";

const { backend } = useUpstream();

const preflight = (origin: string, headers: Record<string, string> = {}) =>
  new Request(RELAY_URL, {
    method: "OPTIONS",
    headers: { origin, "access-control-request-method": "POST", "access-control-request-headers": "content-type", ...headers },
  });

describe("CORS", () => {
  it("answers a preflight from an allowed origin with 204 and credentialed CORS headers", async () => {
    const response = await makeRelay({ corsMaxAge: 600 })(preflight(PAGE));
    expect(response.status).toBe(204);
    expect(Object.fromEntries(response.headers)).toMatchObject({
      "access-control-allow-origin": PAGE,
      "access-control-allow-credentials": "true",
      "access-control-allow-methods": "POST",
      "access-control-allow-headers": "content-type, content-encoding",
      "access-control-max-age": "600",
      vary: "Origin",
    });
    expect(await response.text()).toBe("");
    expect(backend.stats().requests).toBe(0);
  });

  it("echoes the origin (never *) with Allow-Credentials on successful POSTs", async () => {
    const response = await makeRelay()(post(JSON.stringify([row()])));
    expect(response.status).toBe(204);
    expect(response.headers.get("access-control-allow-origin")).toBe(PAGE);
    expect(response.headers.get("access-control-allow-credentials")).toBe("true");
    expect(response.headers.get("access-control-expose-headers")).toBe("Retry-After, Apptuit-Stored");
  });

  it("serves requests without Origin (same-origin beacons, servers) and same-origin requests with it", async () => {
    const relay = makeRelay({ allowedOrigins: [] });
    const none = await relay(post(JSON.stringify([row()]), { origin: null }));
    expect(none.status).toBe(204);
    expect(none.headers.get("access-control-allow-origin")).toBeNull();
    const same = await relay(post(JSON.stringify([row()]), { origin: new URL(RELAY_URL).origin }));
    expect(same.status).toBe(204);
    expect((await relay(post(JSON.stringify([row()]), { origin: PAGE }))).status).toBe(403);
    expect(backend.stats().puts).toBe(2);
  });

  it("matches exact origins after normalisation, RegExps and predicates, nothing looser", async () => {
    const relay = makeRelay({
      allowedOrigins: [
        "https://shop.example/",
        /^https:\/\/[a-z0-9]+\.preview\.example$/,
        (origin) => origin.endsWith(".internal.example"),
      ],
    });
    const status = async (origin: string) => (await relay(preflight(origin))).status;
    expect(await status("https://shop.example")).toBe(204);
    expect(await status("https://pr42.preview.example")).toBe(204);
    expect(await status("https://a.internal.example")).toBe(204);
    expect(await status("http://shop.example")).toBe(403);
    expect(await status("https://shop.example.evil.example")).toBe(403);
    expect(await status("https://x.preview.example.evil")).toBe(403);
    expect(await status("null")).toBe(403);
  });

  it('refuses "*" and non-origins at creation', () => {
    expect(() => createRelay({ token: "t", allowedOrigins: ["*"] })).toThrow(ApptuitConfigError);
    expect(() => createRelay({ token: "t", allowedOrigins: ["https://*.shop.example"] })).toThrow(/exact origins/);
    expect(() => createRelay({ token: "t", allowedOrigins: ["shop.example"] })).toThrow(/not an origin/);
  });
});
