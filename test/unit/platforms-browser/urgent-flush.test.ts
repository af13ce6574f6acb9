// The page-hide flush without a browser: a fake channel records the bodies it is handed.
import { describe, expect, it } from "vitest";
import { Apptuit } from "../../../src/core/client";
import type { Collectable, CollectedPoint } from "../../../src/core/types";
import type { WirePoint } from "../../../src/core/wire";
import { KeepaliveQuota, utf8Length } from "../../../src/platforms/browser/quota";
import { flushPage } from "../../../src/platforms/browser/urgent-flush";
import type { BodyLimits } from "../../../src/core/body-cutter";
import { spreadPosts } from "../../../src/platforms/browser/spread-posts";
import type { HandOff, PageChannel } from "../../../src/platforms/browser/urgent-channel";
import { decodeCompact } from "../../../src/relay/compact-format";
import { compactBody } from "../../../src/platforms/browser/body-writer";
import { UnloadLedger } from "../../../src/platforms/browser/unload-ledger";
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
  const channel: PageChannel = {
    writer: compactBody,
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

describe("flushPage", () => {
  it("keeps all bodies together within the room left in the quota, counting bytes in flight", () => {
    const { reporter } = setup(5_000);
    const quota = new KeepaliveQuota(65_536, () => 0);
    expect(quota.tryReserve(20_000)).toBe(true); // an interval flush's keepalive request, still in flight
    const { channel, bodies } = fakeChannel((_, bytes) => {
      quota.hold(bytes);
      return true;
    }, 16_384);
    const result = flushPage(reporter, preparer, channel, quota);
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
    const first = flushPage(reporter, preparer, channel, quota);
    expect(bodies).toHaveLength(1);
    expect(first.handed).toBe(bodies[0]!.points.length);
    // Visible again, recorded more, hidden again with a fresh quota.
    registry.add(0, 1000);
    const quota2 = new KeepaliveQuota(Number.MAX_SAFE_INTEGER, () => 0);
    const later = fakeChannel(() => true, 10_000_000);
    const second = flushPage(reporter, preparer, later.channel, quota2);
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
    const result = flushPage(reporter, preparer, channel, quota);
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
    expect(flushPage(reporter, preparer, channel, quota)).toEqual({ handed: 0, bodies: 0, posted: 0, kept: 14 });
    expect(bodies).toEqual([]);
    expect(reporter.stats()).toMatchObject({ buffered: 14, inFlight: 0 });
  });

  it("beyond the quota, posts the rest as ordinary requests: each point once, delivered only on a 2xx", async () => {
    const { reporter } = setup(5_000);
    const quota = new KeepaliveQuota(65_536, () => 0);
    const beacons: { body: string; bytes: number }[] = [];
    const posts: { body: string; answer: (outcome: boolean | "refused") => void }[] = [];
    const storage = new MemoryStorage();
    const ledger = new UnloadLedger(storage, () => 1_000, "me");
    const channel: PageChannel = {
      writer: compactBody,
      maxBodyBytes: 20_000,
      maxPoints: 5_000,
      send(body, bytes) {
        beacons.push({ body, bytes });
        quota.hold(bytes);
        return true;
      },
      post: (body) => new Promise((answer) => posts.push({ body, answer })),
    };
    const result = flushPage(reporter, preparer, channel, quota, ledger);
    expect(result.kept).toBe(0);
    expect(result.handed).toBe(5_009);
    expect(beacons.reduce((s, b) => s + b.bytes, 0)).toBeLessThanOrEqual(65_536);
    expect(posts.length).toBeGreaterThan(0);
    const bodies = [...beacons.map((b) => b.body), ...posts.map((p) => p.body)];
    for (const body of bodies) expect(utf8Length(body)).toBeLessThanOrEqual(20_000);
    // Cut in one pass: every body but the last of each kind is ≥ 90 % full.
    for (const body of [...beacons.slice(0, -1), ...posts.slice(0, -1)].map((b) => b.body))
      expect(utf8Length(body)).toBeGreaterThanOrEqual(0.9 * 20_000);
    const all = bodies.flatMap((body) => decodeCompact(body));
    expect(all).toHaveLength(5_009);
    expect(new Set(hits(all).map((p) => p.tags.series)).size).toBe(5_000);
    expect(result.posted).toBe(all.length - beacons.flatMap((b) => decodeCompact(b.body)).length);
    // Until answered: in flight, and noted for the next page in case this one dies.
    expect(reporter.stats()).toMatchObject({ delivered: 5_009 - result.posted, inFlight: result.posted });
    expect(JSON.parse(storage.getItem("apptuit:pending:me")!)).toEqual({ n: result.posted, t: 1_000 });
    posts[0]!.answer(false); // e.g. cancelled: back to the retry buffer
    for (const p of posts.slice(1)) p.answer(true);
    await new Promise((r) => setTimeout(r, 0));
    const firstPost = decodeCompact(posts[0]!.body).length;
    expect(reporter.stats()).toMatchObject({ delivered: 5_009 - firstPost, buffered: firstPost, inFlight: 0 });
    // The failed request's points are back in this page's retry buffer: still noted, since a
    // closing page never sends them again; once the page is shown again it sends them itself.
    expect(JSON.parse(storage.getItem("apptuit:pending:me")!)).toEqual({ n: firstPost, t: 1_000 });
    ledger.revive();
    expect(storage.getItem("apptuit:pending:me")).toBeNull();
  });

  it("notes every point before any other work, so a page killed at any step of its flush leaves nothing uncounted", () => {
    const { reporter } = setup(5_000);
    const quota = new KeepaliveQuota(65_536, () => 0);
    const storage = new MemoryStorage();
    const ledger = new UnloadLedger(storage, () => 1_000, "me");
    const noted = () => JSON.parse(storage.getItem("apptuit:pending:me") ?? '{"n":0}').n as number;
    // What the next page would count if this one were killed right when a body is handed over.
    const seen: { at: string; noted: number; handedBefore: number }[] = [];
    let handed = 0;
    const channel: PageChannel = {
      writer: compactBody,
      maxBodyBytes: 20_000,
      maxPoints: 5_000,
      send(body, bytes) {
        seen.push({ at: "beacon", noted: noted(), handedBefore: handed });
        handed += decodeCompact(body).length;
        quota.hold(bytes);
        return true;
      },
      post: (body) => {
        seen.push({ at: "post", noted: noted(), handedBefore: handed });
        handed += decodeCompact(body).length;
        return new Promise(() => {}); // the page dies before any answer
      },
    };
    // Preparing is the costly step: the points are noted before it starts.
    let notedAtPrepare = -1;
    const watched = {
      prepare: (...args: Parameters<typeof preparer.prepare>) => {
        if (notedAtPrepare < 0) notedAtPrepare = noted();
        return preparer.prepare(...args);
      },
    };
    const result = flushPage(reporter, watched, channel, quota, ledger);
    expect(notedAtPrepare).toBe(5_009);
    expect(result.handed).toBe(5_009);
    expect(seen.some((s) => s.at === "post")).toBe(true);
    // At every hand-off, all that had not been handed to a beacon yet was already noted.
    for (const s of seen) expect(s.noted).toBeGreaterThanOrEqual(5_009 - s.handedBefore);
    // After: the beacons' points are off the books (the browser sends them), the posts' are not.
    expect(noted()).toBe(result.posted);
  });

  it("keeps points noted while they wait in a hidden page's retry buffer, and lets go when it is shown again", () => {
    const { reporter } = setup(5);
    const quota = new KeepaliveQuota(1000, () => 0);
    quota.tryReserve(1000);
    const storage = new MemoryStorage();
    const ledger = new UnloadLedger(storage, () => 1_000, "me");
    const { channel } = fakeChannel(() => true);
    expect(flushPage(reporter, preparer, channel, quota, ledger).kept).toBe(14);
    expect(JSON.parse(storage.getItem("apptuit:pending:me")!)).toEqual({ n: 14, t: 1_000 });
    ledger.revive();
    expect(storage.getItem("apptuit:pending:me")).toBeNull();
  });

  it("with postLimits (direct mode), the rest beyond the quota goes in at most 4 parallel requests, not many queued small ones", () => {
    /** Beacons fill the quota (bodies of `maxBodyBytes`), then `post` takes the rest; nothing answers. */
    const run = (series: number, postLimits: BodyLimits | undefined, maxBodyBytes = 20_000) => {
      const { reporter } = setup(series);
      const quota = new KeepaliveQuota(65_536, () => 0);
      const beacons: string[] = [];
      const posts: string[] = [];
      const channel: PageChannel = {
        writer: compactBody,
        maxBodyBytes,
        maxPoints: 5_000,
        ...(postLimits ? { postLimits: spreadPosts(maxBodyBytes, postLimits) } : {}),
        send(body, bytes) {
          beacons.push(body);
          quota.hold(bytes);
          return true;
        },
        post: (body) => {
          posts.push(body);
          return new Promise(() => {});
        },
      };
      const result = flushPage(reporter, preparer, channel, quota);
      const all = [...beacons, ...posts].flatMap((body) => decodeCompact(body));
      expect(all).toHaveLength(series + 9);
      expect(new Set(hits(all).map((p) => p.tags.series)).size).toBe(series);
      expect(result).toMatchObject({ kept: 0, handed: series + 9 });
      return { result, beacons, posts, sizes: posts.map((body) => utf8Length(body)) };
    };
    const large = { maxBodyBytes: 16_000_000, maxPoints: 50_000 };
    // 20,000 series: ~470 KB beyond the quota → 4 posts of about a quarter each, not 24 of 20 KB.
    const big = run(20_000, large);
    expect(big.posts).toHaveLength(4);
    expect(Math.min(...big.sizes.slice(0, 3))).toBeGreaterThan(100_000);
    expect(big.result.posted).toBe(big.posts.flatMap((body) => decodeCompact(body)).length);
    // A rest of about 1.5 bodies stays in quota-sized bodies: 20 KB, then the remainder.
    const small = run(4_200, large);
    expect(small.sizes.length).toBe(2);
    expect(small.sizes[0]).toBeGreaterThan(0.9 * 20_000);
    expect(small.sizes[0]).toBeLessThanOrEqual(20_000);
    // Without postLimits (relay mode), posts are cut like quota bodies, however many it takes.
    const relay = run(20_000, undefined);
    expect(relay.posts.length).toBeGreaterThan(20);
    expect(Math.max(...relay.sizes)).toBeLessThanOrEqual(20_000);
    // The points cap of postLimits holds whatever the bytes allow.
    const capped = run(20_000, { maxBodyBytes: 16_000_000, maxPoints: 1_000 });
    expect(capped.posts.every((body) => decodeCompact(body).length <= 1_000)).toBe(true);
  });
});

/** The part of `Storage` the ledger uses, in memory. */
class MemoryStorage implements Storage {
  private readonly map = new Map<string, string>();
  get length() {
    return this.map.size;
  }
  key(i: number) {
    return [...this.map.keys()][i] ?? null;
  }
  getItem(key: string) {
    return this.map.get(key) ?? null;
  }
  setItem(key: string, value: string) {
    this.map.set(key, value);
  }
  removeItem(key: string) {
    this.map.delete(key);
  }
  clear() {
    this.map.clear();
  }
}

describe("UnloadLedger", () => {
  it("a later page reports and removes other pages' stale counts, and leaves young ones", () => {
    const storage = new MemoryStorage();
    let now = 0;
    const dead = new UnloadLedger(storage, () => now, "dead");
    dead.add(300);
    dead.add(200);
    dead.settle(100); // one answer arrived before the page died: 400 left
    now = 20_000;
    const young = new UnloadLedger(storage, () => now, "young");
    young.add(7);
    storage.setItem("apptuit:pending:garbage", "{not json");
    storage.setItem("unrelated", "1");
    now = 40_000;
    const next = new UnloadLedger(storage, () => now, "next");
    next.add(1); // its own key is never counted
    expect(next.takeStale(30_000)).toBe(400);
    expect(storage.getItem("apptuit:pending:dead")).toBeNull();
    expect(storage.getItem("apptuit:pending:garbage")).toBeNull();
    expect(storage.getItem("unrelated")).toBe("1");
    now = 50_002;
    expect(next.takeStale(30_000)).toBe(7);
    expect(next.takeStale(30_000)).toBe(0);
  });

  it("does nothing without storage, or when storage throws", () => {
    expect(new UnloadLedger(undefined).takeStale(1)).toBe(0);
    const throwing = new MemoryStorage();
    throwing.setItem = () => {
      throw new DOMException("full", "QuotaExceededError");
    };
    const ledger = new UnloadLedger(throwing);
    expect(() => ledger.add(5)).not.toThrow();
  });
});
