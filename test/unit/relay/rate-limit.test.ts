import { describe, expect, it } from "vitest";
import { clientKeyFor, defaultClientKey, TokenBuckets } from "../../../src/relay/rate-limit";
import { expectNoToken, makeRelay, post, row, useUpstream } from "./fixtures";

const { backend } = useUpstream();

describe("TokenBuckets", () => {
  it("grants up to the capacity, then says how many seconds until the cost refills", () => {
    let now = 0;
    const buckets = new TokenBuckets(10, 60_000, 100, () => now); // 10 per minute: one per 6 s
    for (let i = 0; i < 10; i++) expect(buckets.take("a", 1)).toBe(0);
    expect(buckets.take("a", 1)).toBe(6);
    expect(buckets.take("a", 3)).toBe(18);
    now += 6_000;
    expect(buckets.take("a", 1)).toBe(0);
    expect(buckets.take("a", 1)).toBe(6);
    expect(buckets.take("b", 1)).toBe(0); // other keys are independent
  });

  it("never refills above the capacity, and lets an oversized cost through only from a full bucket", () => {
    let now = 0;
    const buckets = new TokenBuckets(5, 1_000, 100, () => now);
    now += 3_600_000;
    expect(buckets.take("a", 50)).toBe(0); // full bucket: granted, emptied
    expect(buckets.take("a", 1)).toBe(1);
    now += 600;
    expect(buckets.take("a", 50)).toBe(1); // needs the whole bucket back
  });

  it("keeps at most maxKeys clients, evicting the least recently seen (which comes back full)", () => {
    const now = 0;
    const buckets = new TokenBuckets(1, 60_000, 3, () => now);
    for (const key of ["a", "b", "c"]) expect(buckets.take(key, 1)).toBe(0);
    expect(buckets.take("a", 1)).toBeGreaterThan(0); // touches "a": "b" is now the oldest
    expect(buckets.take("d", 1)).toBe(0); // evicts "b"
    expect(buckets.size).toBe(3);
    expect(buckets.take("c", 1)).toBeGreaterThan(0); // still tracked
    expect(buckets.take("b", 1)).toBe(0); // forgotten: full again (fail open, bounded memory)
    for (let i = 0; i < 10_000; i++) buckets.take(`flood-${i}`, 1);
    expect(buckets.size).toBe(3);
  });
});

describe("client keys", () => {
  const request = (headers: Record<string, string>) => new Request("https://relay.example/", { headers });
  const all = { "cf-connecting-ip": "1.1.1.1", "x-forwarded-for": "6.6.6.6, 2.2.2.2, 10.0.0.1" };
  it("by default trust no header a page could forge: the platform's client id only", () => {
    expect(defaultClientKey(request(all), "socket-ip")).toBe("socket-ip");
    expect(defaultClientKey(request(all), undefined)).toBeUndefined();
  });
  it("trustProxy: a hop count read from the right of X-Forwarded-For, or Cloudflare's CF-Connecting-IP", () => {
    expect(clientKeyFor(1)(request(all), "proxy-ip")).toBe("10.0.0.1");
    expect(clientKeyFor(2)(request(all), "proxy-ip")).toBe("2.2.2.2"); // the forged left-most entry is never read
    expect(clientKeyFor(5)(request(all), "proxy-ip")).toBe("proxy-ip");
    expect(clientKeyFor("cloudflare")(request(all), undefined)).toBe("1.1.1.1");
    expect(clientKeyFor("cloudflare")(request({}), undefined)).toBeUndefined();
    expect(() => clientKeyFor(0)).toThrow(/trustProxy/);
  });
});

describe("relay rate limit", () => {
  it("answers a flood beyond the request limit with 429 + Retry-After, forwarding nothing more", async () => {
    let now = 1_000_000;
    const relay = makeRelay({ rateLimit: { requests: 3, windowMs: 30_000, now: () => now }, trustProxy: "cloudflare" });
    const from = (ip: string) => post(JSON.stringify([row()]), { headers: { "cf-connecting-ip": ip } });
    for (let i = 0; i < 3; i++) expect((await relay(from("203.0.113.7"))).status).toBe(204);
    const statuses: number[] = [];
    for (let i = 0; i < 20; i++) {
      const response = await relay(from("203.0.113.7"));
      statuses.push(response.status);
      if (i === 0) {
        expect(response.headers.get("retry-after")).toBe("10");
        expect(response.headers.get("access-control-expose-headers")).toBe("Retry-After, Apptuit-Stored");
        expect(await response.clone().json()).toEqual({ error: "rate limit exceeded" });
        await expectNoToken(response);
      }
    }
    expect(statuses.every((s) => s === 429)).toBe(true);
    expect(backend.stats().puts).toBe(3);
    // Another client is unaffected; the flooder is served again once tokens refill.
    expect((await relay(from("198.51.100.1"))).status).toBe(204);
    now += 10_000;
    expect((await relay(from("203.0.113.7"))).status).toBe(204);
    expect(backend.stats().puts).toBe(5);
  });

  it("limits points per client too, and counts the context's clientId as the key", async () => {
    const now = 0;
    const relay = makeRelay({ rateLimit: { points: 10, requests: Infinity, windowMs: 60_000, now: () => now } });
    const six = JSON.stringify(Array.from({ length: 6 }, (_, i) => row({ value: i })));
    expect((await relay(post(six), { clientId: "c1" })).status).toBe(204);
    const limited = await relay(post(six), { clientId: "c1" });
    expect(limited.status).toBe(429);
    expect(limited.headers.get("retry-after")).toBe("12"); // 2 more points at 1 per 6 s
    expect((await relay(post(six), { clientId: "c2" })).status).toBe(204);
    expect(backend.points()).toHaveLength(12);
  });

  it("can be turned off", async () => {
    const relay = makeRelay({ rateLimit: false });
    for (let i = 0; i < 400; i++) {
      expect((await relay(post("[]", { headers: { "cf-connecting-ip": "1.2.3.4" } }))).status).toBe(204);
    }
  });
});
