// Retry timing seen from the server's side of a real socket: how many attempts, how far
// apart, for both HTTP layers (ky, and the direct script tag's `fetch` alone). Full jitter allows
// any wait in [0, min(cap, delay(n))]: the layer draws r = Math.random()
// once per retry and waits r · min(cap, delay(n)). Math.random is replaced by a seeded
// generator here, so every wait is known in advance; the wall clock is held to that wait as
// a hard lower bound (timers never fire early, load only adds time) and to a gross upper
// bound (a second above the largest allowed wait) that only "jitter or cap not applied at
// all" can break. Retry-After sets a lower bound (seconds, or an HTTP date with its
// one-second resolution) and is cut to `maxRetryAfter`.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { Apptuit } from "../../src/core/client";
import { PageClient } from "../../src/platforms/browser/page-client";
import { ApptuitHttpError } from "../../src/core/errors/http-error";
import { FaultServer } from "./fault-server";
import { rig, TOKEN, type RetryOptions } from "./support";
import { mulberry32 } from "../support/random";

let server: FaultServer;
beforeEach(async () => {
  server = await FaultServer.start();
});
afterEach(async () => {
  vi.restoreAllMocks();
  await server.close();
});

/** Timers may fire up to a millisecond early (whole-millisecond clock); below this a wait was cut short. */
const EARLY_MS = 2;
/**
 * Gross ceiling above an expected wait: a GC pause or CPU steal on a loaded CI box cannot
 * reach it, a wait that ignored the jitter, the cap or maxRetryAfter goes far beyond it.
 */
const GROSS_MS = 1_000;
/** The same for Retry-After, whose waits are a second or two long to begin with. */
const GROSS_RETRY_AFTER_MS = 2_000;
const point = (value: number) => ({ metric: "retry.timing", tags: { k: "v" }, timestamp: 1_700_000_000 + value, value });

/** The client under test: the servers' (ky), or the direct script tag's (`fetch` alone), which keeps the same timing. */
let Client: typeof Apptuit = Apptuit;

function client(retry: RetryOptions): Apptuit {
  return new Client({ token: TOKEN, endpoint: server.url, retry, timeout: 2_000 });
}

const gaps = (times: number[]) => times.slice(1).map((t, i) => t - times[i]!);

/**
 * Feeds the HTTP layer's jitter (ky's, or fetch-http.ts's: their only use of Math.random)
 * from `next`; returns every value handed to it, in order. Any other caller in the process
 * gets the real Math.random, so it cannot shift the sequence.
 */
function stubRandom(next: () => number): number[] {
  const real = Math.random;
  const drawn: number[] = [];
  vi.spyOn(Math, "random").mockImplementation(() => {
    if (!/[\\/]ky[\\/]|[\\/]fetch-http\.ts/.test(new Error().stack ?? "")) return real();
    const r = next();
    drawn.push(r);
    return r;
  });
  return drawn;
}

/** Sends one point against a 503 fallback; returns the gaps between its attempts and the jitter values drawn meanwhile. */
async function failingSend(c: Apptuit, value: number, drawn: number[]): Promise<{ gaps: number[]; rs: number[] }> {
  const before = server.puts().length;
  const drawnBefore = drawn.length;
  const error = await c.send([point(value)]).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(ApptuitHttpError);
  expect((error as ApptuitHttpError).statusCode).toBe(503);
  return {
    gaps: gaps(
      server
        .puts()
        .slice(before)
        .map((a) => a.at),
    ),
    rs: drawn.slice(drawnBefore),
  };
}

describe.each([
  ["ky (servers)", Apptuit],
  ["fetch alone (the direct script tag)", PageClient as unknown as typeof Apptuit],
])("client on %s", (_, C) => {
  beforeEach(() => {
    Client = C;
  });

  describe("exponential backoff with full jitter", () => {
    it("makes limit + 1 attempts; each retry draws one r and waits r · min(cap, delay(n)), within the bound", async () => {
      const delay = (n: number) => 50 * 2 ** (n - 1); // 50, 100, 200 → capped at 150
      const c = client({ limit: 3, delay, backoffLimit: 150 });
      server.fallback = { kind: "status", status: 503 };
      const drawn = stubRandom(mulberry32(0x5eed));
      const waits: { gap: number; bound: number; r: number }[] = [];
      for (let i = 0; i < 8; i++) {
        const { gaps: g, rs } = await failingSend(c, i, drawn);
        expect(g).toHaveLength(3);
        // Jitter is drawn once per retry, and only then.
        expect(rs).toHaveLength(3);
        g.forEach((gap, n) => waits.push({ gap, bound: Math.min(150, delay(n + 1)), r: rs[n]! }));
      }
      console.log(
        `backoff: ${waits.map((w) => `${w.gap.toFixed(0)}≥${(w.r * w.bound).toFixed(0)}/${w.bound}`).join(" ")} (gap ≥ r·bound / bound, ms)`,
      );
      for (const { gap, bound, r } of waits) {
        // Hard: the jittered wait really elapsed (at r ≈ 1 that is the whole capped bound).
        expect(gap).toBeGreaterThanOrEqual(r * bound - EARLY_MS);
        // Gross: never anywhere near a wait the bound does not allow.
        expect(gap).toBeLessThanOrEqual(bound + GROSS_MS);
      }
      // The seed spreads r over [0, 1): short waits and nearly whole bounds were both exercised.
      const rs = waits.map((w) => w.r);
      expect(Math.min(...rs)).toBeLessThan(0.2);
      expect(Math.max(...rs)).toBeGreaterThan(0.8);
    });

    it("the jitter shortens the wait: r = 0.02 and 0.05 on a 3 s backoff wait about 60 and 150 ms, not 3 s", async () => {
      const c = client({ limit: 2, delay: () => 3_000, backoffLimit: 3_000 });
      server.fallback = { kind: "status", status: 503 };
      const script = [0.02, 0.05];
      let i = 0;
      const drawn = stubRandom(() => script[i++ % script.length]!);
      const { gaps: g, rs } = await failingSend(c, 100, drawn);
      expect(rs).toEqual(script);
      expect(g).toHaveLength(2);
      g.forEach((gap, n) => {
        const wait = script[n]! * 3_000;
        expect(gap).toBeGreaterThanOrEqual(wait - EARLY_MS);
        // Without jitter the wait would be the whole 3 s.
        expect(gap).toBeLessThan(wait + GROSS_MS);
      });
    });

    it("the cap bounds the jittered wait: delay(n) = 10 s capped at 150 ms, r = 0.999, waits about 150 ms", async () => {
      const c = client({ limit: 2, delay: () => 10_000, backoffLimit: 150 });
      server.fallback = { kind: "status", status: 503 };
      const drawn = stubRandom(() => 0.999);
      const { gaps: g, rs } = await failingSend(c, 101, drawn);
      expect(rs).toHaveLength(2);
      expect(g).toHaveLength(2);
      for (const gap of g) {
        // The capped bound is reached, and not exceeded (uncapped, this would be ~10 s).
        expect(gap).toBeGreaterThanOrEqual(0.999 * 150 - EARLY_MS);
        expect(gap).toBeLessThan(150 + GROSS_MS);
      }
    });

    it("retries nothing that cannot succeed: 400 without details, 401, 403, 413 for one point", async () => {
      const c = client({ limit: 3, delay: () => 10 });
      for (const status of [400, 401, 403, 413, 404]) {
        server.plan = [{ kind: "status", status, body: "no" }];
        const before = server.puts().length;
        const error = await c.send([point(status)]).catch((e: unknown) => e);
        expect((error as ApptuitHttpError).statusCode).toBe(status);
        expect(server.puts().length - before).toBe(1);
      }
    });
  });

  describe("Retry-After", () => {
    it("in seconds, on 429 and on 503: the next attempt waits at least that long", async () => {
      const c = client({ limit: 3, delay: () => 10, maxRetryAfter: 5_000 });
      for (const status of [429, 503]) {
        server.plan = [{ kind: "status", status, headers: { "retry-after": "1" } }];
        const before = server.puts().length;
        await c.send([point(status)]);
        const [first, second] = server.puts().slice(before);
        const gap = second!.at - first!.at;
        expect(gap).toBeGreaterThanOrEqual(1_000 - 5);
        expect(gap).toBeLessThanOrEqual(1_000 + GROSS_RETRY_AFTER_MS);
      }
    });

    it("as an HTTP date two seconds ahead: waits until that date (one-second resolution)", async () => {
      const c = client({ limit: 3, delay: () => 10, maxRetryAfter: 5_000 });
      server.plan = [{ kind: "status", status: 429, headers: () => ({ "retry-after": new Date(Date.now() + 2_000).toUTCString() }) }];
      await c.send([point(1)]);
      const [first, second] = server.puts();
      const gap = second!.at - first!.at;
      // toUTCString drops the milliseconds: the date is 1–2 s ahead when sent.
      expect(gap).toBeGreaterThanOrEqual(1_000 - 5);
      expect(gap).toBeLessThanOrEqual(2_000 + GROSS_RETRY_AFTER_MS);
    });

    it("is cut to maxRetryAfter (an hour becomes 300 ms), and the error reports it after the last attempt", async () => {
      const c = client({ limit: 1, delay: () => 10, maxRetryAfter: 300 });
      server.fallback = { kind: "status", status: 429, headers: { "retry-after": "3600" } };
      const started = performance.now();
      const error = await c.send([point(2)]).catch((e: unknown) => e);
      const took = performance.now() - started;
      const [first, second] = server.puts();
      expect(second!.at - first!.at).toBeGreaterThanOrEqual(300 - 5);
      expect(took).toBeLessThan(300 + GROSS_RETRY_AFTER_MS);
      expect(error).toBeInstanceOf(ApptuitHttpError);
      expect((error as ApptuitHttpError).retryAfter).toBe(3600);
      expect((error as ApptuitHttpError).message).toContain("429");
    });

    it("with the reporter: a 429 with Retry-After delays that flush's retry, and the books balance", async () => {
      const r = rig({ endpoint: server.url, retry: { limit: 3, delay: () => 10, maxRetryAfter: 5_000 } });
      server.plan = [{ kind: "status", status: 429, headers: { "retry-after": "1" } }];
      r.update();
      const result = await r.reporter.flush();
      expect(result.ok).toBe(true);
      const [first, second] = server.puts();
      expect(second!.at - first!.at).toBeGreaterThanOrEqual(1_000 - 5);
      expect(server.storedIds().size).toBe(result.recorded);
    });
  });
});
