// The relay-mode page's reporter: its books, retries, bounded buffer and the drain that the
// page-hide flush uses, with the relay sender posting into a stubbed fetch.
import { afterEach, describe, expect, it, vi } from "vitest";
import { pageReporter, type PageReporter } from "../../../src/platforms/browser/page-reporter";
import { KeepaliveQuota } from "../../../src/platforms/browser/quota";
import { RelaySender } from "../../../src/platforms/browser/relay-sender";
import { decodeCompact } from "../../../src/relay/compact-format";
import { MetricsRegistry } from "../../../src/registry";
import type { WirePoint } from "../../../src/core/wire";

afterEach(() => vi.unstubAllGlobals());

/** A relay answering each POST with the next status (204 once they run out); `bodies` holds what it stored. */
function relay(statuses: number[] = []) {
  const stored: WirePoint[] = [];
  vi.stubGlobal("fetch", async (_url: string, init: RequestInit) => {
    const status = statuses.shift() ?? 204;
    if (status === 204) stored.push(...decodeCompact(String(init.body)));
    return new Response(null, { status });
  });
  return stored;
}

function setup(options: { maxPoints?: number; bodyPoints?: number; yield?: () => PromiseLike<void> | void } = {}) {
  const registry = new MetricsRegistry();
  const sender = new RelaySender({
    url: "/apptuit",
    globalTags: { runtime: "browser" },
    timeout: 1000,
    quota: new KeepaliveQuota(),
    maxBodyBytes: 65_536,
    maxPoints: options.bodyPoints ?? 5_000,
  });
  const errors: unknown[][] = [];
  const reporter = pageReporter({
    registry,
    sender,
    interval: 3_600_000,
    retryBuffer: { maxPoints: options.maxPoints ?? 10_000 },
    sliceSize: 2,
    yield: options.yield ?? (() => undefined),
    tags: { app: "shop" },
    onError: (status, ok, failed, e) => errors.push([status, ok, failed, e]),
  });
  return { registry, sender, reporter, errors };
}

const balanced = (s: ReturnType<PageReporter["stats"]>) => s.recorded === s.delivered + s.rejected + s.dropped + s.buffered + s.inFlight;
const hits = (points: WirePoint[]) => points.filter((p) => p.metric === "hits.count");

describe("PageReporter", () => {
  it("sends each series' delta with its kind, the reporter's tags and 9 meta points; the books balance", async () => {
    const stored = relay();
    const { registry, reporter } = setup();
    registry.counter("hits", { page: "a" }).inc(3);
    registry.timer("render").update(12);
    const result = await reporter.flush();
    expect(result).toMatchObject({ ok: true, recorded: 2 + 9, delivered: 2 + 9, requests: 1 });
    expect(hits(stored)).toEqual([
      expect.objectContaining({ value: 3, tags: { runtime: "browser", app: "shop", page: "a" }, delta: { kind: "sum" } }),
    ]);
    expect(stored.find((p) => p.metric === "render")?.delta).toMatchObject({ kind: "timer", sum: 12 });
    expect(stored.filter((p) => p.metric.startsWith("apptuit.reporter.send."))).toHaveLength(9);
    registry.counter("hits", { page: "a" }).inc(2);
    await reporter.flush();
    expect(hits(stored).map((p) => p.value)).toEqual([3, 2]);
    // Each flush a later timestamp: two deltas of one series never share an instant.
    expect(hits(stored)[1]!.timestamp).toBeGreaterThan(hits(stored)[0]!.timestamp);
    expect(reporter.stats()).toMatchObject({ recorded: 22, delivered: 22, inFlight: 0, buffered: 0, flushes: 2 });
  });

  it("keeps what a failing relay did not take for the next flush, oldest first, and reports it", async () => {
    const stored = relay([503]);
    const { registry, reporter, errors } = setup();
    registry.counter("hits").inc(1);
    const failed = await reporter.flush();
    expect(failed).toMatchObject({ ok: false, delivered: 0, buffered: 10 });
    expect(errors[0]?.[0]).toBe(503);
    expect(balanced(reporter.stats())).toBe(true);
    registry.counter("hits").inc(5);
    const next = await reporter.flush();
    expect(next).toMatchObject({ ok: true, retried: 10, delivered: 20, buffered: 0 });
    expect(hits(stored).map((p) => p.value)).toEqual([1, 5]);
    expect(reporter.stats()).toMatchObject({ recorded: 20, delivered: 20, buffered: 0, inFlight: 0 });
  });

  it("settles body by body: the bodies stored before a failing one are delivered, that one and the later ones buffered", async () => {
    const stored = relay([204, 503]);
    const { registry, reporter, errors } = setup({ bodyPoints: 5 });
    registry.counter("hits", { page: "a" }).inc(1);
    registry.counter("hits", { page: "b" }).inc(2);
    const result = await reporter.flush(); // 2 + 9 points: bodies of 5, 5 and 1
    expect(result).toMatchObject({ ok: false, recorded: 11, delivered: 5, buffered: 6, requests: 1 });
    expect(stored).toHaveLength(5);
    expect(errors).toEqual([[503, 5, 6, [expect.objectContaining({ statusCode: 503 })]]]);
    expect(balanced(reporter.stats())).toBe(true);
    const next = await reporter.flush();
    expect(next).toMatchObject({ ok: true, retried: 6, buffered: 0 });
    expect(stored).toHaveLength(22); // each point of both flushes stored once
    expect(new Set(stored.map((p) => JSON.stringify(p))).size).toBe(22);
    expect(reporter.stats()).toMatchObject({ recorded: 22, delivered: 22, inFlight: 0 });
  });

  it("rejects a body the relay refuses for good, and drops what the full retry buffer evicts, counting both", async () => {
    relay([403, 503, 503]);
    const { registry, reporter, errors } = setup({ maxPoints: 12 });
    registry.counter("hits").inc(1);
    expect(await reporter.flush()).toMatchObject({ rejected: 10, buffered: 0 });
    expect(errors[0]?.[0]).toBe(403);
    await reporter.flush(); // 10 buffered
    const third = await reporter.flush(); // 10 retried + 10 new > 12: the 8 oldest go
    expect(third).toMatchObject({ dropped: 8, buffered: 12 });
    expect(errors.some((e) => String(e[3]).includes("retry buffer is full"))).toBe(true);
    const stats = reporter.stats();
    expect(stats).toMatchObject({ recorded: 30, rejected: 10, dropped: 8, buffered: 12, inFlight: 0 });
    expect(balanced(stats)).toBe(true);
  });

  it("sets aside a non-finite value alone: rejected and reported, the rest sent", async () => {
    const stored = relay();
    const { registry, reporter, errors } = setup();
    registry.counter("hits").inc(1);
    registry.gauge("broken", () => Number.NaN);
    const result = await reporter.flush();
    expect(hits(stored)).toHaveLength(1);
    expect(result.ok).toBe(false);
    expect(errors.length).toBeGreaterThan(0);
    expect(balanced(reporter.stats())).toBe(true);
  });

  it("a drain while a flush is still preparing takes its points over: each point leaves once", async () => {
    const stored = relay();
    let release: () => void = () => {};
    let paused = 0;
    const { registry, reporter, sender } = setup({
      yield: () => {
        paused++;
        return paused === 2 ? new Promise<void>((r) => (release = r)) : undefined;
      },
    });
    for (let i = 0; i < 6; i++) registry.counter("hits", { s: `s${i}` }).inc(i + 1);
    const flushing = reporter.flush();
    await vi.waitFor(() => expect(paused).toBe(2));
    registry.counter("hits", { s: "s0" }).inc(100);
    let noted = 0;
    const drained = reporter.drain(sender, (n) => (noted = n));
    // The flush's 15 points (2 prepared, 13 not yet) plus the drain's own 15.
    expect(drained.points).toHaveLength(30);
    expect(noted).toBe(30);
    drained.delivered(drained.points.length);
    release();
    const result = await flushing;
    expect(result.requests).toBe(0);
    expect(stored).toEqual([]);
    expect(hits(drained.points).map((p) => p.value)).toEqual([1, 2, 3, 4, 5, 6, 100, 0, 0, 0, 0, 0]);
    expect(reporter.stats()).toMatchObject({ recorded: 30, delivered: 30, inFlight: 0 });
  });
});
