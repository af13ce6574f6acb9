// The page-hide channels' answers: stored, refused for good (a 4xx but 408/429, or a
// redirect, which is never followed), or worth a retry.
import { afterEach, describe, expect, it, vi } from "vitest";
import { Apptuit } from "../../../src/core/client";
import { directMode } from "../../../src/platforms/browser/direct-mode";
import { PageClient } from "../../../src/platforms/browser/page-client";
import { KeepaliveQuota } from "../../../src/platforms/browser/quota";
import { MetricsRegistry } from "../../../src/registry";
import { beaconChannel, keepaliveChannel } from "../../../src/platforms/browser/urgent-channel";

afterEach(() => vi.unstubAllGlobals());

const limits = { maxBodyBytes: 65_536, maxPoints: 5_000, timeout: 1_000 };

describe.each([
  ["relay (beacon channel)", () => beaconChannel("/apptuit", new KeepaliveQuota(), limits)],
  ["direct (keepalive channel)", () => keepaliveChannel("https://api.test/api/put?details", "tok", new KeepaliveQuota(), limits)],
])("%s: a post beyond the quota", (_, channel) => {
  it.each([
    [204, true],
    [307, "refused"],
    [403, "refused"],
    [429, false],
    [503, false],
  ] as const)("answered %i → %s, without following a redirect", async (status, expected) => {
    const inits: RequestInit[] = [];
    vi.stubGlobal("fetch", async (_url: string, init: RequestInit) => {
      inits.push(init);
      return new Response(null, { status, headers: status === 307 ? { location: "https://elsewhere.test/" } : {} });
    });
    expect(await channel().post!("[]")).toBe(expected);
    expect(inits.map((i) => i.redirect)).toEqual(["manual"]);
  });
});

describe("direct (keepalive channel): authorization", () => {
  it.each([
    ["a token", "tok", "Bearer tok"],
    ["no auth (token: null or auth: false)", null, undefined],
  ] as const)("with %s, both the beacon-sized send and the post carry %s", async (_, token, expected) => {
    const inits: RequestInit[] = [];
    vi.stubGlobal("fetch", async (_url: string, init: RequestInit) => {
      inits.push(init);
      return new Response(null, { status: 204 });
    });
    const channel = keepaliveChannel("https://api.test/api/put?details", token, new KeepaliveQuota(), limits);
    expect(await channel.send("[]", 2)).toBe(true);
    expect(await channel.post!("[]")).toBe(true);
    expect(inits.map((i) => (i.headers as Record<string, string>).authorization)).toEqual([expected, expected]);
  });
});

describe.each([
  ["Apptuit", Apptuit],
  ["PageClient", PageClient],
])("direct mode (%s) wires the client's auth into the page-hide channel", (_name, Client) => {
  it.each([
    ["token: null", { token: null }],
    ["auth: false", { token: "tok", clientOptions: { auth: false as const } }],
  ])("%s → no Authorization header on page hide", async (_, auth) => {
    const inits: RequestInit[] = [];
    vi.stubGlobal("fetch", async (_url: string, init: RequestInit) => {
      inits.push(init);
      return new Response(null, { status: 204 });
    });
    const { channel } = directMode(Client)(
      { endpoint: "https://api.test", ...auth },
      {
        quota: new KeepaliveQuota(),
        limits,
        globalTags: {},
        registry: new MetricsRegistry(),
        ownRegistry: () => new MetricsRegistry(),
        sliceSize: 256,
        yield: () => undefined,
      },
    );
    expect(await channel.post!("[]")).toBe(true);
    expect((inits[0]!.headers as Record<string, string>).authorization).toBeUndefined();
  });
});
