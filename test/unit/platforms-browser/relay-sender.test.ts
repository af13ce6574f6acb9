// The relay sender and the direct-mode fetch, with a stubbed global fetch recording calls.
import { afterEach, describe, expect, it, vi } from "vitest";
import type { WirePoint } from "../../../src/core/wire";
import { keepaliveFetch } from "../../../src/platforms/browser/keepalive-fetch";
import { KeepaliveQuota } from "../../../src/platforms/browser/quota";
import { compactBody } from "../../../src/platforms/browser/body-writer";
import { RelaySender } from "../../../src/platforms/browser/relay-sender";
import { MetricsRegistry } from "../../../src/registry";
import { ReporterCore } from "../../../src/reporter/reporter-core";
import { decodeCompact } from "../../../src/relay/compact-format";

interface Call {
  url: string;
  init: RequestInit;
  usedAtCall: number;
}

function stubFetch(quota: KeepaliveQuota, statuses: number[] = []) {
  const calls: Call[] = [];
  vi.stubGlobal("fetch", async (url: string, init: RequestInit) => {
    calls.push({ url: String(url), init, usedAtCall: quota.limit - quota.available });
    return new Response(null, { status: statuses.shift() ?? 204 });
  });
  return calls;
}

afterEach(() => vi.unstubAllGlobals());

const points = (n: number): WirePoint[] =>
  Array.from({ length: n }, (_, i) => ({ metric: "m", timestamp: 1_700_000_000_000, value: i, tags: { series: `s${i}` } }));

function sender(quota: KeepaliveQuota, limits = { maxBodyBytes: 65_536, maxPoints: 5_000 }) {
  return new RelaySender({ url: "/apptuit", globalTags: { runtime: "browser" }, timeout: 1000, quota, ...limits });
}

describe("RelaySender", () => {
  it("prepares without a token: tag merging and the finite-number check only (the relay sanitizes)", () => {
    const s = sender(new KeepaliveQuota());
    expect(
      s.prepare([{ metric: "a.b", tags: { "x-y": "1", app: "mine" }, timestamp: 1_700_000_000.5, value: 1 }], {
        tags: { app: "shop", runtime: "page" },
      }),
    ).toEqual([{ metric: "a.b", timestamp: 1_700_000_000_500, value: 1, tags: { runtime: "page", app: "mine", "x-y": "1" } }]);
    const bad = [
      { metric: "a", timestamp: 1, value: 1 },
      { metric: "b", timestamp: 1, value: Number.NaN },
    ];
    expect(() => s.prepare(bad)).toThrow(expect.objectContaining({ index: 1, message: expect.stringMatching(/finite/) }));
    const sketch = { kind: "timer" as const, sum: Number.POSITIVE_INFINITY, sumsq: 1, min: 1, max: 1, zero: 0, pos: [0, 1], neg: [] };
    expect(() => s.prepare([{ metric: "t", timestamp: 1, value: 1, delta: sketch }])).toThrow(/finite/);
    // What would cost the relay the whole body: an empty string, too many tags.
    expect(() => s.prepare([{ metric: "a", tags: { x: "" }, timestamp: 1, value: 1 }])).toThrow(/1 to 1024 characters/);
    const many = Object.fromEntries(Array.from({ length: 25 }, (_, i) => [`k${i}`, "v"]));
    expect(() => s.prepare([{ metric: "a", tags: many, timestamp: 1, value: 1 }])).toThrow(/at most 25 tags/);
  });

  it('prepares times as milliseconds, what the page writer writes (`u: "ms"`, `t0` 0): whole and fractional seconds, a Date', () => {
    const s = sender(new KeepaliveQuota());
    const at = (timestamp: number | Date) => s.prepare([{ metric: "m", timestamp, value: 1 }])[0]!.timestamp;
    expect(at(1_700_000_000)).toBe(1_700_000_000_000);
    expect(at(1_700_000_000.25)).toBe(1_700_000_000_250);
    expect(at(1_700_000_000.0004)).toBe(1_700_000_000_000);
    expect(at(new Date(1_700_000_000_123))).toBe(1_700_000_000_123);
    const body = compactBody();
    body.tryAdd(s.prepare([{ metric: "m", timestamp: 1_700_000_000.5, value: 1 }])[0]!, Infinity);
    expect(decodeCompact(body.finish()).map((p) => p.timestamp)).toEqual([1_700_000_000_500]);
  });

  it("prepareValid sets each invalid point aside with its error and keeps every valid one, without throwing", () => {
    const s = sender(new KeepaliveQuota());
    const prepared = s.prepareValid(
      [
        { metric: "a", timestamp: 1, value: Number.NaN },
        { metric: "b", timestamp: 1, value: 1 },
        { metric: "c", tags: { x: "" }, timestamp: 1, value: 2 },
        { metric: "d", timestamp: 1, value: 3 },
      ],
      { app: "shop" },
    );
    expect(prepared.valid.map((p) => [p.metric, p.value, p.tags])).toEqual([
      ["b", 1, { runtime: "browser", app: "shop" }],
      ["d", 3, { runtime: "browser", app: "shop" }],
    ]);
    expect(prepared.invalid).toBe(2);
    expect(prepared.errors).toEqual([
      expect.objectContaining({ index: 0, message: expect.stringMatching(/finite/) }),
      expect.objectContaining({ index: 2, message: expect.stringMatching(/1 to 1024 characters/) }),
    ]);
  });

  it("merges a series' tags once: the registry's tags object gets the same merged tags flush after flush, until the reporter's tags change", () => {
    const s = sender(new KeepaliveQuota());
    const tags = { button: "buy" };
    const point = { metric: "clicks.count", tags, timestamp: 1_700_000_000, value: 1 };
    const reporterTags = { app: "shop" };
    const first = s.prepare([point], { tags: reporterTags })[0]!.tags;
    expect(s.prepare([{ ...point, value: 2 }], { tags: reporterTags })[0]!.tags).toBe(first);
    expect(first).toEqual({ runtime: "browser", app: "shop", button: "buy" });
    expect(s.prepare([point], { tags: { app: "blog" } })[0]!.tags).toEqual({ runtime: "browser", app: "blog", button: "buy" });
  });

  it("posts compact text/plain bodies with keepalive while the quota has room, and frees it a little after each answer", async () => {
    const timers: (() => void)[] = [];
    const quota = new KeepaliveQuota(20_000, (fn) => timers.push(fn));
    const calls = stubFetch(quota);
    const result = await sender(quota, { maxBodyBytes: 2_000, maxPoints: 5_000 }).sendPrepared(points(300));
    const sizes = calls.map((c) => new TextEncoder().encode(c.init.body as string).byteLength);
    expect(calls.length).toBeGreaterThan(1);
    // The content type a request with this init carries: a string body is text/plain by the Fetch standard.
    const typeOf = (init: RequestInit) => new Request("https://page.test/apptuit", { ...init, signal: null }).headers.get("content-type");
    expect(
      calls.every((c) => c.url === "/apptuit" && typeof c.init.body === "string" && typeOf(c.init) === "text/plain;charset=UTF-8"),
    ).toBe(true);
    // Each body booked with keepalive; the answered ones stay booked until their settle timer.
    expect(calls.every((c) => c.init.keepalive === true)).toBe(true);
    expect(calls.map((c) => c.usedAtCall)).toEqual(sizes.map((_, i) => sizes.slice(0, i + 1).reduce((a, b) => a + b, 0)));
    expect(calls.flatMap((c) => decodeCompact(c.init.body as string).map((p) => p.value))).toEqual(points(300).map((p) => p.value));
    expect(result).toEqual({ points: 300, requests: calls.length });
    expect(timers).toHaveLength(calls.length);
    for (const fire of timers.splice(0)) fire();
    expect(quota.available).toBe(20_000);
  });

  it("right after an answer the browser still counts its bytes: the next body goes without keepalive", async () => {
    const quota = new KeepaliveQuota(3_000, () => 0); // settle timers never fire here
    const calls = stubFetch(quota);
    // 270 points: three bodies of 1.9–2 KB, none of which fits in what the first leaves of the quota.
    await sender(quota, { maxBodyBytes: 2_000, maxPoints: 5_000 }).sendPrepared(points(270));
    expect(calls.map((c) => c.init.keepalive)).toEqual([true, ...calls.slice(1).map(() => false)]);
  });

  it("a keepalive request the browser refuses at once goes again as an ordinary one", async () => {
    const quota = new KeepaliveQuota(65_536, () => 0);
    const seen: boolean[] = [];
    vi.stubGlobal("fetch", async (_url: string, init: RequestInit) => {
      seen.push(init.keepalive === true);
      if (init.keepalive) throw new TypeError("Failed to fetch");
      return new Response(null, { status: 204 });
    });
    await expect(sender(quota).sendPrepared(points(10))).resolves.toEqual({ points: 10, requests: 1 });
    expect(seen).toEqual([true, false]);
  });

  it("cuts bodies in one pass, each ≥ 90 % full but the last, awaiting yield() between slices", async () => {
    const quota = new KeepaliveQuota();
    const calls = stubFetch(quota);
    const yields: number[] = [];
    const s = new RelaySender({
      url: "/apptuit",
      globalTags: { runtime: "browser" },
      timeout: 1000,
      quota,
      maxBodyBytes: 4_000,
      maxPoints: 5_000,
      sliceSize: 50,
      yield: () => {
        yields.push(calls.length);
        return undefined;
      },
    });
    const all = points(2_000);
    await s.sendPrepared(all);
    const sizes = calls.map((c) => new TextEncoder().encode(c.init.body as string).byteLength);
    expect(sizes.every((n) => n <= 4_000)).toBe(true);
    expect(sizes.slice(0, -1).every((n) => n >= 0.9 * 4_000)).toBe(true);
    expect(calls.flatMap((c) => decodeCompact(c.init.body as string).map((p) => p.value))).toEqual(all.map((p) => p.value));
    // A yield every 50 points encoded, within bodies too (not only between requests).
    expect(yields.length).toBeGreaterThanOrEqual(2_000 / 50 - calls.length - 1);
    expect(new Set(yields).size).toBeLessThan(yields.length);
  });

  it("sends without keepalive when the quota is taken (e.g. by beacons)", async () => {
    const quota = new KeepaliveQuota(1_000);
    quota.tryReserve(990);
    const calls = stubFetch(quota);
    await sender(quota).sendPrepared(points(10));
    expect(calls.map((c) => c.init.keepalive)).toEqual([false]);
  });

  it("on a retryable answer, the failed body and every later one are undelivered", async () => {
    const quota = new KeepaliveQuota();
    stubFetch(quota, [204, 503]);
    const all = points(30);
    const outcome = await sender(quota, { maxBodyBytes: 65_536, maxPoints: 10 }).deliver(all);
    expect(outcome).toMatchObject({ stored: 10, rejected: 0, requests: 2, failure: { retryable: true, error: { statusCode: 503 } } });
    expect(outcome.undelivered).toEqual(all.slice(10));
  });

  it("a body refused for good does not stop the others; only its points are rejected", async () => {
    const quota = new KeepaliveQuota();
    const calls = stubFetch(quota, [204, 403, 204]);
    const all = points(30);
    const s = sender(quota, { maxBodyBytes: 65_536, maxPoints: 10 });
    const outcome = await s.deliver(all);
    expect(calls).toHaveLength(3);
    expect(outcome).toMatchObject({ stored: 20, rejected: 10, rejectedStatus: 403, undelivered: [], failure: undefined });
    // Callers of sendPrepared get the exception built from it.
    stubFetch(quota, [204, 403, 204]);
    const error = await s.sendPrepared(all).catch((e: unknown) => e);
    expect(error).toMatchObject({ name: "ApptuitSendError", statusCode: 403, success: 20, failed: 10, undelivered: [] });
  });

  it("a network failure is retryable with everything not yet sent", async () => {
    vi.stubGlobal("fetch", async () => {
      throw new TypeError("Failed to fetch");
    });
    const all = points(5);
    const outcome = await sender(new KeepaliveQuota()).deliver(all);
    expect(outcome).toMatchObject({ stored: 0, failure: { retryable: true, error: { name: "ApptuitNetworkError" } } });
    expect(outcome.undelivered).toEqual(all);
  });

  it("a point the relay would refuse ({ constructor: … }) is rejected alone; the others are sent and only they count as delivered", async () => {
    const quota = new KeepaliveQuota();
    const calls = stubFetch(quota);
    const s = sender(quota);
    const registry = new MetricsRegistry();
    registry.counter("clicks", { constructor: "x" }).inc();
    registry.counter("clicks", { page: "home" }).inc();
    const reporter = new ReporterCore({ registry, client: s, onError: null });
    const result = await reporter.flush();
    const sent = calls.flatMap((c) => decodeCompact(c.init.body as string));
    expect(calls).toHaveLength(1);
    expect(result.rejected).toBe(1);
    expect(result.delivered).toBe(sent.length);
    expect(result.delivered).toBe(result.recorded - 1);
    expect(sent.some((p) => Object.hasOwn(p.tags ?? {}, "constructor"))).toBe(false);
    // Refused while preparing (the page's one check of what would cost the relay the whole body).
    expect(result.errors[0]).toMatchObject({
      name: "ApptuitValidationError",
      message: expect.stringContaining('forbidden tag key "constructor"'),
    });
  });

  it("a point too large for any body is rejected alone; the rest goes", async () => {
    const quota = new KeepaliveQuota();
    const calls = stubFetch(quota);
    const all = points(4);
    all[1] = { ...all[1]!, tags: { big: "x".repeat(900) } };
    const outcome = await sender(quota, { maxBodyBytes: 500, maxPoints: 5_000 }).deliver(all);
    expect(outcome).toMatchObject({ stored: 3, rejected: 1, undelivered: [], failure: undefined });
    expect(calls.flatMap((c) => decodeCompact(c.init.body as string).map((p) => p.value))).toEqual([0, 2, 3]);
  });
});

describe("keepaliveFetch (direct mode)", () => {
  it("sends POST bodies as bytes with keepalive when they fit, books and releases them", async () => {
    const timers: (() => void)[] = [];
    const quota = new KeepaliveQuota(100, (fn) => timers.push(fn));
    const seen: { keepalive?: boolean; bytes: number; used: number; auth: string | null }[] = [];
    vi.stubGlobal("fetch", async (_url: string | Request, init?: RequestInit) => {
      if (init?.body instanceof ArrayBuffer)
        seen.push({
          keepalive: init.keepalive,
          bytes: init.body.byteLength,
          used: 100 - quota.available,
          auth: new Headers(init.headers).get("authorization"),
        });
      return new Response(null, { status: 204 });
    });
    const f = keepaliveFetch(quota);
    await f("http://x/api/put", { method: "POST", body: "a".repeat(60), headers: { authorization: "Bearer t" } });
    await f("http://x/api/put", { method: "POST", body: "a".repeat(160) });
    expect(seen).toEqual([
      { keepalive: true, bytes: 60, used: 60, auth: "Bearer t" },
      { keepalive: false, bytes: 160, used: 60, auth: null }, // the first one's bytes are freed a little after its answer
    ]);
    for (const fire of timers.splice(0)) fire();
    expect(quota.available).toBe(100);
  });
});
