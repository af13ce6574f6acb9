// The relay-mode page's reporter: its books, retries, bounded buffer and the drain that the
// page-hide flush uses, with the relay sender posting into a stubbed fetch.
import { afterEach, describe, expect, it, vi } from "vitest";
import { pageReporter, type PageReporter } from "../../../src/platforms/browser/page-reporter";
import { PageRegistry } from "../../../src/platforms/browser/page-registry";
import { pageSendStats } from "../../../src/platforms/browser/page-send-stats";
import { SeriesState } from "../../../src/relay/aggregate/series-state";
import { KeepaliveQuota } from "../../../src/platforms/browser/quota";
import { RelaySender } from "../../../src/platforms/browser/relay-sender";
import { decodeCompact } from "../../../src/relay/compact-format";
import { MetricsRegistry } from "../../../src/registry";
import type { WirePoint } from "../../../src/core/wire";

afterEach(() => {
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
});

/**
 * A relay answering each POST with the next status (204 once they run out); `bodies` holds
 * what it stored. `during`: run while a request is in flight (a clock to advance).
 */
function relay(statuses: number[] = [], during = () => {}) {
  const stored: WirePoint[] = [];
  vi.stubGlobal("fetch", async (_url: string, init: RequestInit) => {
    during();
    const status = statuses.shift() ?? 204;
    if (status === 204) stored.push(...decodeCompact(String(init.body)));
    return new Response(null, { status });
  });
  return stored;
}

function setup(
  options: {
    maxPoints?: number;
    bodyPoints?: number;
    yield?: () => PromiseLike<void> | void;
    registry?: MetricsRegistry | PageRegistry;
    own?: () => MetricsRegistry | PageRegistry;
  } = {},
) {
  const registry = options.registry ?? new MetricsRegistry();
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
    sendStats: pageSendStats(options.own?.() ?? new PageRegistry()),
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

/** The fields a relay writes for the reporter's own series among `points` (each expanded alone). */
function sendStatsFields(points: WirePoint[]): Record<string, number> {
  const fields: Record<string, number> = {};
  for (const p of points.filter((q) => q.metric.startsWith("apptuit.reporter.send."))) {
    const { kind, ...dist } = p.delta!;
    const state = new SeriesState(kind, p.metric, p.tags);
    state.merge({ metric: p.metric, tags: p.tags, timestamp: p.timestamp, kind, value: p.value, ...("sum" in dist && { dist }) } as never);
    for (const f of state.fields()) fields[f.metric] = f.value;
  }
  return fields;
}

describe("PageReporter", () => {
  it("sends each series' delta with its kind, the reporter's tags and its 5 send stats; the books balance", async () => {
    const stored = relay();
    const { registry, reporter } = setup();
    registry.counter("hits", { page: "a" }).inc(3);
    registry.timer("render").update(12);
    const result = await reporter.flush();
    expect(result).toMatchObject({ ok: true, recorded: 2 + 5, delivered: 2 + 5, requests: 1 });
    expect(hits(stored)).toEqual([
      expect.objectContaining({ value: 3, tags: { runtime: "browser", app: "shop", page: "a" }, delta: { kind: "sum" } }),
    ]);
    expect(stored.find((p) => p.metric === "render")?.delta).toMatchObject({ kind: "timer", sum: 12 });
    // Four counters and a timer, with their kinds (the relay expands them into the usual fields).
    expect(stored.filter((p) => p.metric.startsWith("apptuit.reporter.send.")).map((p) => [p.metric, p.delta?.kind, p.tags.sdk])).toEqual([
      ["apptuit.reporter.send.total.count", "sum", "apptuit-js"],
      ["apptuit.reporter.send.successful.count", "sum", "apptuit-js"],
      ["apptuit.reporter.send.failed.count", "sum", "apptuit-js"],
      ["apptuit.reporter.send.dropped.count", "sum", "apptuit-js"],
      ["apptuit.reporter.send.time", "timer", "apptuit-js"],
    ]);
    registry.counter("hits", { page: "a" }).inc(2);
    await reporter.flush();
    expect(hits(stored).map((p) => p.value)).toEqual([3, 2]);
    // Each flush a later timestamp: two deltas of one series never share an instant.
    expect(hits(stored)[1]!.timestamp).toBeGreaterThan(hits(stored)[0]!.timestamp);
    expect(reporter.stats()).toMatchObject({ recorded: 14, delivered: 14, inFlight: 0, buffered: 0, flushes: 2 });
  });

  // The stats are held in a registry of the entry's kind: a page's (the relay-only entries) or the full one.
  it.each([
    ["a page registry", () => new PageRegistry()],
    ["a full registry", () => new MetricsRegistry()],
  ])("its send stats, in %s of their own, reach the relay's fields under the reporter's usual names", async (_, own) => {
    // The reporter times its sends on Date.now: each request takes 250 ms on it.
    let now = 1_700_000_000_000;
    vi.spyOn(Date, "now").mockImplementation(() => now);
    const stored = relay([503], () => (now += 250));
    // A registry of one series: the send stats never count against its maxSeries.
    const registry = new PageRegistry({ maxSeries: 1 });
    const { reporter } = setup({ maxPoints: 4, registry, own });
    registry.counter("hits").inc(1);
    const first = await reporter.flush(); // 1 + 5 points, refused by a 503: 2 of them evicted from a buffer of 4
    expect(first).toMatchObject({ recorded: 6, dropped: 2, buffered: 4 });
    const second = await reporter.flush(); // the first flush's sends and drops, then 4 retried + 6 new, stored
    expect(second).toMatchObject({ ok: true, retried: 4, delivered: 10 });
    const fresh = stored.slice(4); // the retried ones first
    const fields = sendStatsFields(fresh);
    expect(fields).toMatchObject({
      "apptuit.reporter.send.total.count": 6,
      "apptuit.reporter.send.successful.count": 0,
      "apptuit.reporter.send.failed.count": 6,
      "apptuit.reporter.send.dropped.count": 2,
      "apptuit.reporter.send.time.count": 1,
    });
    // One send of 250 ms, in seconds: its sum, average, min and max are that one duration.
    expect(["sum", "avg", "min", "max"].map((f) => fields[`apptuit.reporter.send.time.${f}`])).toEqual([0.25, 0.25, 0.25, 0.25]);
    expect(hits(fresh).map((p) => p.value)).toEqual([0]);
    expect(fresh.some((p) => p.metric.startsWith("apptuit.registry.series_refused"))).toBe(false);
    // The third flush counts the second's stored send.
    await reporter.flush();
    expect(sendStatsFields(stored.slice(10))).toMatchObject({
      "apptuit.reporter.send.total.count": 10,
      "apptuit.reporter.send.successful.count": 10,
      "apptuit.reporter.send.failed.count": 0,
      "apptuit.reporter.send.dropped.count": 0,
      "apptuit.reporter.send.time.count": 1,
      "apptuit.reporter.send.time.max": 0.25,
    });
  });

  it("keeps what a failing relay did not take for the next flush, oldest first, and reports it", async () => {
    const stored = relay([503]);
    const { registry, reporter, errors } = setup();
    registry.counter("hits").inc(1);
    const failed = await reporter.flush();
    expect(failed).toMatchObject({ ok: false, delivered: 0, buffered: 6 });
    expect(errors[0]?.[0]).toBe(503);
    expect(balanced(reporter.stats())).toBe(true);
    registry.counter("hits").inc(5);
    const next = await reporter.flush();
    expect(next).toMatchObject({ ok: true, retried: 6, delivered: 12, buffered: 0 });
    expect(hits(stored).map((p) => p.value)).toEqual([1, 5]);
    expect(reporter.stats()).toMatchObject({ recorded: 12, delivered: 12, buffered: 0, inFlight: 0 });
  });

  it("settles body by body: the bodies stored before a failing one are delivered, that one and the later ones buffered", async () => {
    const stored = relay([204, 503]);
    const { registry, reporter, errors } = setup({ bodyPoints: 3 });
    registry.counter("hits", { page: "a" }).inc(1);
    registry.counter("hits", { page: "b" }).inc(2);
    const result = await reporter.flush(); // 2 + 5 points: bodies of 3, 3 and 1
    expect(result).toMatchObject({ ok: false, recorded: 7, delivered: 3, buffered: 4, requests: 1 });
    expect(stored).toHaveLength(3);
    expect(errors).toEqual([[503, 3, 4, [expect.objectContaining({ statusCode: 503 })]]]);
    expect(balanced(reporter.stats())).toBe(true);
    const next = await reporter.flush();
    expect(next).toMatchObject({ ok: true, retried: 4, buffered: 0 });
    expect(stored).toHaveLength(14); // each point of both flushes stored once
    expect(new Set(stored.map((p) => JSON.stringify(p))).size).toBe(14);
    expect(reporter.stats()).toMatchObject({ recorded: 14, delivered: 14, inFlight: 0 });
  });

  it("rejects a body the relay refuses for good, and drops what the full retry buffer evicts, counting both", async () => {
    relay([403, 503, 503]);
    const { registry, reporter, errors } = setup({ maxPoints: 8 });
    registry.counter("hits").inc(1);
    expect(await reporter.flush()).toMatchObject({ rejected: 6, buffered: 0 });
    expect(errors[0]?.[0]).toBe(403);
    await reporter.flush(); // 6 buffered
    const third = await reporter.flush(); // 6 retried + 6 new > 8: the 4 oldest go
    expect(third).toMatchObject({ dropped: 4, buffered: 8 });
    expect(errors.some((e) => String(e[3]).includes("retry buffer is full"))).toBe(true);
    const stats = reporter.stats();
    expect(stats).toMatchObject({ recorded: 18, rejected: 6, dropped: 4, buffered: 8, inFlight: 0 });
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
    // The flush's 11 points (2 prepared, 9 not yet) plus the drain's own 11.
    expect(drained.points).toHaveLength(22);
    expect(noted).toBe(22);
    drained.delivered(drained.points.length);
    release();
    const result = await flushing;
    expect(result.requests).toBe(0);
    expect(stored).toEqual([]);
    expect(hits(drained.points).map((p) => p.value)).toEqual([1, 2, 3, 4, 5, 6, 100, 0, 0, 0, 0, 0]);
    expect(reporter.stats()).toMatchObject({ recorded: 22, delivered: 22, inFlight: 0 });
  });
});
