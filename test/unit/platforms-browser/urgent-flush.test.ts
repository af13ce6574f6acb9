// The page-hide flush without a browser: a fake channel records the bodies it is handed.
import { describe, expect, it } from "vitest";
import { Apptuit } from "../../../src/core/client";
import type { Collectable, CollectedPoint } from "../../../src/core/types";
import type { WirePoint } from "../../../src/core/wire";
import { KeepaliveQuota, utf8Length } from "../../../src/platforms/browser/quota";
import { flushUrgently } from "../../../src/platforms/browser/urgent-flush";
import type { HandOff, UrgentChannel } from "../../../src/platforms/browser/urgent-channel";
import { decodeCompact, encodeCompact } from "../../../src/relay/compact-format";
import { ApptuitReporter } from "../../../src/reporter";

/** `n` counter series; each collect reports what was added since the last one (delta). */
class Counters implements Collectable {
  values: number[] = [];
  private sent: number[] = [];
  add(i: number, n: number) {
    this.values[i] = (this.values[i] ?? 0) + n;
  }
  collect(): CollectedPoint[] {
    return this.values.map((v, i) => {
      const d = v - (this.sent[i] ?? 0);
      this.sent[i] = v;
      return { metric: "hits.count", tags: { series: `s${i}` }, value: d };
    });
  }
}

const preparer = new Apptuit({ token: "t", sanitize: "apptuit" });
const noTimers = { setInterval: () => 0, clearInterval: () => {} };

function setup(series: number) {
  const registry = new Counters();
  for (let i = 0; i < series; i++) registry.add(i, i + 1);
  const reporter = new ApptuitReporter({ registry, client: preparer, temporality: "delta", platform: noTimers, onError: null });
  return { registry, reporter };
}

function fakeChannel(answer: (body: string, bytes: number) => HandOff, maxBodyBytes = 65_536) {
  const bodies: { body: string; bytes: number; points: WirePoint[] }[] = [];
  const channel: UrgentChannel = {
    encode: encodeCompact,
    maxBodyBytes,
    maxPoints: 5_000,
    send(body, bytes) {
      const handed = answer(body, bytes);
      if (handed !== false) bodies.push({ body, bytes, points: decodeCompact(body) });
      return handed;
    },
  };
  return { channel, bodies };
}

const hits = (points: WirePoint[]) => points.filter((p) => p.metric === "hits.count");

describe("flushUrgently", () => {
  it("keeps all bodies together within the room left in the quota, counting bytes in flight", () => {
    const { reporter } = setup(5_000);
    const quota = new KeepaliveQuota(65_536, () => 0);
    expect(quota.tryReserve(20_000)).toBe(true); // an interval flush's keepalive request, still in flight
    const { channel, bodies } = fakeChannel((_, bytes) => {
      quota.hold(bytes);
      return true;
    }, 16_384);
    const result = flushUrgently(reporter, preparer, channel, quota);
    const total = bodies.reduce((s, b) => s + b.bytes, 0);
    expect(bodies.length).toBeGreaterThan(1);
    expect(bodies.every((b) => b.bytes <= 16_384 && b.bytes === utf8Length(b.body))).toBe(true);
    expect(total).toBeLessThanOrEqual(65_536 - 20_000);
    expect(result.handed + result.kept).toBe(5_000 + 9);
    expect(result.kept).toBeGreaterThan(0);
    // What does not fit waits in the retry buffer; nothing is lost on the books.
    expect(reporter.stats()).toMatchObject({ delivered: result.handed, buffered: result.kept, inFlight: 0 });
  });

  it("never sends a point twice: what a beacon took is delivered, the rest goes out later, once", async () => {
    const { registry, reporter } = setup(3_000);
    const quota = new KeepaliveQuota(65_536, () => 0);
    let calls = 0;
    const { channel, bodies } = fakeChannel((_, bytes) => {
      if (++calls > 1) return false; // the browser refuses the second beacon
      quota.hold(bytes);
      return true;
    }, 20_000);
    const first = flushUrgently(reporter, preparer, channel, quota);
    expect(bodies).toHaveLength(1);
    expect(first.handed).toBe(bodies[0]!.points.length);
    // Visible again, recorded more, hidden again with a fresh quota.
    registry.add(0, 1000);
    const quota2 = new KeepaliveQuota(Number.MAX_SAFE_INTEGER, () => 0);
    const later = fakeChannel(() => true, 10_000_000);
    const second = flushUrgently(reporter, preparer, later.channel, quota2);
    expect(second.kept).toBe(0);
    const all = [...bodies[0]!.points, ...later.bodies.flatMap((b) => b.points)];
    // Per series: the values sum to exactly what was recorded.
    const sums = new Map<string, number>();
    for (const p of hits(all)) sums.set(p.tags.series!, (sums.get(p.tags.series!) ?? 0) + p.value);
    expect(sums.size).toBe(3_000);
    for (let i = 0; i < 3_000; i++) expect(sums.get(`s${i}`)).toBe(registry.values[i]);
    const ids = hits(all).map((p) => `${p.tags.series}@${p.timestamp}`);
    expect(new Set(ids).size).toBe(ids.length);
    expect(reporter.stats()).toMatchObject({ inFlight: 0, buffered: 0, dropped: 0 });
  });

  it("settles keepalive requests when they answer: stored → delivered, failed → retried", async () => {
    const { reporter } = setup(10);
    const quota = new KeepaliveQuota();
    const answers: ((ok: boolean | "refused") => void)[] = [];
    const { channel } = fakeChannel(() => new Promise((resolve) => answers.push(resolve)), 200);
    const result = flushUrgently(reporter, preparer, channel, quota);
    expect(answers.length).toBeGreaterThan(2);
    expect(reporter.stats().inFlight).toBe(result.handed);
    answers[0]!(true);
    answers[1]!(false);
    answers[2]!("refused");
    for (const answer of answers.slice(3)) answer(true);
    await new Promise((r) => setTimeout(r, 0));
    const stats = reporter.stats();
    expect(stats.inFlight).toBe(0);
    expect(stats.rejected).toBeGreaterThan(0);
    expect(stats.buffered).toBeGreaterThan(0);
    expect(stats.recorded).toBe(stats.delivered + stats.rejected + stats.buffered);
  });

  it("sends nothing and keeps everything when the quota is already full", () => {
    const { reporter } = setup(5);
    const quota = new KeepaliveQuota(1000, () => 0);
    quota.tryReserve(1000);
    const { channel, bodies } = fakeChannel(() => true);
    expect(flushUrgently(reporter, preparer, channel, quota)).toEqual({ handed: 0, bodies: 0, kept: 14 });
    expect(bodies).toEqual([]);
    expect(reporter.stats()).toMatchObject({ buffered: 14, inFlight: 0 });
  });
});
