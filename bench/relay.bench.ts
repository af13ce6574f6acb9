// The aggregating relay against pass-through: 1,000 tabs × 50 series, each tab one beacon
// per 10 s window (compact v2, as `apptuit/browser/relay` sends it). Points written per
// minute and relay CPU per beacon, both modes in one run; the upstream is the real client
// (prepare, JSON, gzip) with a fetch that stores everything, so only the relay's work is timed.
import { Apptuit, MetricsRegistry } from "../src/index";
import { RelaySender } from "../src/platforms/browser/relay-sender";
import { compactBody } from "../src/platforms/browser/body-writer";
import { KeepaliveQuota } from "../src/platforms/browser/quota";
import { createRelay } from "../src/relay/index";
import { mulberry32 } from "../test/support/random";
import { finish, int, num, table, type Goal } from "./lib/result";

const started = Date.now();
const TABS = 1_000;
const COUNTERS = 40;
const TIMERS = 10;
const WINDOW_S = 10;

/** One beacon per tab: 40 counters and 10 timers (3 durations each) of the same 50 series as every other tab. */
function beacons(): string[] {
  const random = mulberry32(5);
  const sender = new RelaySender({
    url: "/apptuit",
    globalTags: { runtime: "browser" },
    maxBodyBytes: 65_536,
    maxPoints: 5_000,
    timeout: 1_000,
    quota: new KeepaliveQuota(),
  });
  const out: string[] = [];
  const now = Date.now() / 1000;
  for (let t = 0; t < TABS; t++) {
    const registry = new MetricsRegistry();
    for (let i = 0; i < COUNTERS; i++) registry.counter(`page.events_${i}`, { page: `/p${i % 5}` }).inc(1 + Math.floor(random() * 3));
    for (let i = 0; i < TIMERS; i++) for (let k = 0; k < 3; k++) registry.timer(`page.latency_${i}`).update(5 + random() * 500);
    const points = sender.prepare(registry.collect({ form: "deltas" }).map((p) => ({ ...p, timestamp: now })));
    const writer = compactBody();
    for (const p of points) writer.tryAdd(p, 65_536);
    out.push(writer.finish());
  }
  return out;
}

async function run(aggregate: boolean, bodies: string[]): Promise<{ cpuUs: number; points: number; writes: number }> {
  let points = 0;
  let writes = 0;
  const client = new Apptuit({
    token: "bench",
    endpoint: "http://upstream.invalid",
    fetch: async (input, init) => {
      writes++;
      const request = new Request(input, init);
      const gzipped = request.headers.get("content-encoding") === "gzip";
      const text = gzipped ? await new Response(request.body!.pipeThrough(new DecompressionStream("gzip"))).text() : await request.text();
      const n = (JSON.parse(text) as unknown[]).length;
      points += n;
      return Response.json({ success: n, failed: 0, errors: [] }); // the write API's answer to ?details
    },
  });
  const relay = createRelay({
    client,
    rateLimit: false,
    onError: null,
    maxConcurrentWrites: 100_000,
    aggregate: aggregate ? { windowMs: WINDOW_S * 1000 } : false,
  });
  const cpu = process.cpuUsage();
  await Promise.all(
    bodies.map((body) =>
      relay(new Request("http://relay.test/apptuit", { method: "POST", body, headers: { "content-type": "text/plain" } })),
    ),
  );
  await relay.flush();
  const used = process.cpuUsage(cpu);
  return { cpuUs: used.user + used.system, points, writes };
}

const bodies = beacons();
await run(true, bodies.slice(0, 50)); // warm-up
await run(false, bodies.slice(0, 50));
const pass = await run(false, bodies);
const agg = await run(true, bodies);
const perMinute = (points: number) => points * (60 / WINDOW_S);

let md = `## Relay: aggregated vs pass-through\n\n${int(TABS)} tabs × ${COUNTERS + TIMERS} series (${COUNTERS} counters, ${TIMERS} timers), one compact v2 beacon per tab per ${WINDOW_S} s window, through \`createRelay\` with the real client (JSON, gzip) and an upstream that stores everything.\n\n`;
md += table(
  ["mode", "upstream writes per window", "points written per minute", "relay CPU per beacon"],
  [
    ["pass-through (`aggregate: false`)", int(pass.writes), int(perMinute(pass.points)), `${num(pass.cpuUs / TABS / 1000)} ms`],
    ["aggregated (default)", int(agg.writes), int(perMinute(agg.points)), `${num(agg.cpuUs / TABS / 1000)} ms`],
    [
      "ratio pass-through ÷ aggregated",
      num(pass.writes / agg.writes, 3),
      `${num(pass.points / agg.points, 3)}×`,
      `${num(pass.cpuUs / agg.cpuUs, 2)}×`,
    ],
  ],
  ["l", "r", "r", "r"],
);
md +=
  "\n\nPass-through writes every tab's points (and each tab's own percentiles); aggregated writes each series once per window, with totals and percentiles over all tabs.";
const goals: Goal[] = [
  {
    goal: "aggregated points written per minute ÷ pass-through ≤ 1 / 100 at 1,000 tabs",
    result: `1 / ${num(pass.points / agg.points, 3)}`,
    met: agg.points * 100 <= pass.points,
  },
  {
    goal: "relay CPU per beacon, aggregated vs pass-through",
    result: `${num(agg.cpuUs / TABS / 1000)} ms vs ${num(pass.cpuUs / TABS / 1000)} ms`,
    met: "info",
  },
];
finish({
  part: "relay",
  title: "Relay aggregation",
  startedAt: new Date(started).toISOString(),
  durationMs: Date.now() - started,
  markdown: md,
  losses: [],
  goals,
});
