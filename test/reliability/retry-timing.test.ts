// Retry timing seen from the server's side of a real socket: how many attempts, how far
// apart. Full jitter allows any wait in [0, min(cap, delay(n))], so backoff has an upper
// bound only; Retry-After sets a lower bound (seconds, or an HTTP date with its one-second
// resolution) and is cut to `maxRetryAfter`.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { Apptuit } from "../../src/core/client";
import { ApptuitHttpError } from "../../src/core/errors/http-error";
import { FaultServer } from "./fault-server";
import { rig, TOKEN, type RetryOptions } from "./support";

let server: FaultServer;
beforeEach(async () => {
  server = await FaultServer.start();
});
afterEach(async () => {
  await server.close();
});

/** Scheduling, connection set-up and gzip between two attempts, on a loaded CI box. */
const SLACK_MS = 60;
const point = (value: number) => ({ metric: "retry.timing", tags: { k: "v" }, timestamp: 1_700_000_000 + value, value });

function client(retry: RetryOptions): Apptuit {
  return new Apptuit({ token: TOKEN, endpoint: server.url, retry, timeout: 2_000 });
}

const gaps = (times: number[]) => times.slice(1).map((t, i) => t - times[i]!);

describe("exponential backoff with full jitter", () => {
  it("makes limit + 1 attempts, each wait within [0, min(cap, delay(n))] and jittered", async () => {
    const delay = (n: number) => 50 * 2 ** (n - 1); // 50, 100, 200
    const c = client({ limit: 3, delay, backoffLimit: 150 });
    server.fallback = { kind: "status", status: 503 };
    const waits: { gap: number; bound: number }[] = [];
    for (let i = 0; i < 8; i++) {
      const before = server.puts().length;
      const error = await c.send([point(i)]).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ApptuitHttpError);
      expect((error as ApptuitHttpError).statusCode).toBe(503);
      const attempts = server.puts().slice(before);
      expect(attempts).toHaveLength(4);
      gaps(attempts.map((a) => a.at)).forEach((gap, n) => waits.push({ gap, bound: Math.min(150, delay(n + 1)) }));
    }
    for (const { gap, bound } of waits) {
      expect(gap).toBeGreaterThanOrEqual(0);
      expect(gap).toBeLessThanOrEqual(bound + SLACK_MS);
    }
    // Full jitter: on average about half the bound, not the bound itself (24 samples).
    const meanGap = waits.reduce((s, w) => s + w.gap, 0) / waits.length;
    const meanBound = waits.reduce((s, w) => s + w.bound, 0) / waits.length;
    console.log(`backoff: mean wait ${meanGap.toFixed(1)} ms for a mean bound of ${meanBound.toFixed(1)} ms`);
    expect(meanGap).toBeLessThan(0.8 * meanBound);
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
      expect(gap).toBeLessThanOrEqual(1_000 + 400);
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
    expect(gap).toBeLessThanOrEqual(2_000 + 400);
  });

  it("is cut to maxRetryAfter (an hour becomes 300 ms), and the error reports it after the last attempt", async () => {
    const c = client({ limit: 1, delay: () => 10, maxRetryAfter: 300 });
    server.fallback = { kind: "status", status: 429, headers: { "retry-after": "3600" } };
    const started = performance.now();
    const error = await c.send([point(2)]).catch((e: unknown) => e);
    const took = performance.now() - started;
    const [first, second] = server.puts();
    expect(second!.at - first!.at).toBeGreaterThanOrEqual(300 - 5);
    expect(took).toBeLessThan(300 + 1_000);
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
