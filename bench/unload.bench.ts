// Unload delivery: Chromium pages record n series and are closed (or navigated away) right
// after; the share of series that reach the server. Ours through a same-origin relay and
// directly to the write API; OpenTelemetry's browser metrics SDK as its docs set it up,
// and again with a `pagehide` → forceFlush() listener as the best effort a user might add.
// The largest size our page-hide flush fits in the 64 KiB keepalive quota is computed with
// the SDK's own code (reporter.drain + the urgent flush) and then checked in Chromium.
import type { Browser } from "playwright-core";
import { Apptuit, MetricsRegistry, ApptuitReporter } from "../src/index";
import { KeepaliveQuota } from "../src/platforms/browser/quota";
import { RelaySender } from "../src/platforms/browser/relay-sender";
import { flushUrgently } from "../src/platforms/browser/urgent-flush";
import { encodeCompact } from "../src/relay/index";
import { launchChromium } from "../test/harness/chromium";
import { buildOtelIife } from "./lib/builds";
import { finish, int, num, ROOT, table, type Goal } from "./lib/result";
import { seriesName, seriesTags } from "./lib/series";
import { startSite, TOKEN, type Lib, type Site } from "./lib/site";

const started = Date.now();
const SIZES = [100, 1_000, 5_000];
const CLOSES = ["close", "navigate"] as const;
type Close = (typeof CLOSES)[number];

// --- the largest page the quota carries, by the SDK's own page-hide code ------------------
function fitsQuota(mode: "relay" | "direct", n: number): boolean {
  const registry = new MetricsRegistry({ maxSeries: n + 100 });
  for (let i = 0; i < n; i++) registry.counter(seriesName(i), seriesTags(i)).inc();
  const quota = new KeepaliveQuota(65_536, () => undefined);
  const limits = { maxBodyBytes: 65_536, maxPoints: 5_000 };
  const globalTags = { runtime: "browser" }; // init()'s default
  const sender =
    mode === "relay"
      ? new RelaySender({ url: "/apptuit", sanitize: "prometheus", globalTags, ...limits, timeout: 10_000, quota })
      : new Apptuit({ token: TOKEN, endpoint: "http://127.0.0.1:9", globalTags });
  const reporter = new ApptuitReporter({ registry, client: sender, temporality: "delta", onError: null });
  // The channels of urgent-channel.ts, minus the browser call: a body is taken if it fits.
  const channel = {
    encode: mode === "relay" ? encodeCompact : (points: unknown[]) => JSON.stringify(points),
    ...limits,
    send: (_body: string, bytes: number) => quota.tryReserve(bytes),
  };
  return flushUrgently(reporter, sender, channel, quota).kept === 0;
}
function largestFitting(mode: "relay" | "direct"): number {
  let lo = 1;
  let hi = 20_000;
  while (lo + 1 < hi) {
    const mid = (lo + hi) >>> 1;
    if (fitsQuota(mode, mid)) lo = mid;
    else hi = mid;
  }
  return lo;
}
const maxRelay = largestFitting("relay");
const maxDirect = largestFitting("direct");
console.log(`unload: largest page in one 64 KiB quota: relay ${maxRelay} series, direct ${maxDirect} series`);

// --- pages in Chromium -------------------------------------------------------------------
interface Run {
  lib: Lib;
  n: number;
  close: Close;
  delivered: number;
  extra?: string;
  slow?: boolean;
}

/** A slow uplink (DevTools network emulation), set once the page is ready: 150 ms latency, 1 Mbit/s up. */
const SLOW = { offline: false, latency: 150, downloadThroughput: 4_000_000 / 8, uploadThroughput: 1_000_000 / 8 };

async function runOnce(browser: Browser, site: Site, lib: Lib, n: number, close: Close, slow = false): Promise<Run> {
  site.reset();
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(site.page(lib, n));
  await page.waitForFunction(() => (window as any).__ready === true);
  if (slow) {
    const cdp = await context.newCDPSession(page);
    await cdp.send("Network.enable");
    await cdp.send("Network.emulateNetworkConditions", SLOW);
  }
  if (close === "close") await page.close({ runBeforeUnload: true });
  else await page.goto(`${site.url}/blank`);
  // Wait until nothing more arrives for 1 s (at most 8 s).
  const count = () => (lib.startsWith("apptuit") ? site.apptuitSeries().series : site.otelSeries().series);
  let last = -1;
  let stableSince = Date.now();
  const t0 = Date.now();
  while (Date.now() - t0 < 8_000) {
    await new Promise((r) => setTimeout(r, 100));
    const c = count();
    if (c !== last) {
      last = c;
      stableSince = Date.now();
    } else if (Date.now() - stableSince >= 1_000) break;
  }
  await context.close();
  const o = site.otelSeries();
  const extra = lib.startsWith("otel") && o.overflow > 0 ? `${o.overflow} overflow point(s)` : undefined;
  return { lib, n, close, delivered: count(), ...(extra ? { extra } : {}), ...(slow ? { slow } : {}) };
}

const otelIife = await buildOtelIife();
const site = await startSite({ apptuitIife: `${ROOT}dist/apptuit.iife.js`, otelIife });
const browser = await launchChromium();
const runs: Run[] = [];
const slowRuns: Run[] = [];
const SLOW_LIBS: Lib[] = ["apptuit-relay", "otel-pagehide"];
const SLOW_SIZES = [1_000, 5_000];
const LIBS: [Lib, number[]][] = [
  ["apptuit-relay", [...SIZES, maxRelay].sort((a, b) => a - b)],
  ["apptuit-direct", [...SIZES, maxDirect].sort((a, b) => a - b)],
  ["otel", SIZES],
  ["otel-pagehide", SIZES],
];
try {
  for (const [lib, sizes] of LIBS)
    for (const n of sizes)
      for (const close of CLOSES) {
        const run = await runOnce(browser, site, lib, n, close).catch(() => runOnce(browser, site, lib, n, close));
        runs.push(run);
        console.log(`unload ${lib} n=${n} ${close}: ${run.delivered}/${n}${run.extra ? ` (${run.extra})` : ""}`);
      }
  for (const lib of SLOW_LIBS)
    for (const n of SLOW_SIZES)
      for (const close of CLOSES) {
        const run = await runOnce(browser, site, lib, n, close, true).catch(() => runOnce(browser, site, lib, n, close, true));
        slowRuns.push(run);
        console.log(`unload (slow uplink) ${lib} n=${n} ${close}: ${run.delivered}/${n}`);
      }
} finally {
  var chromium = browser.version();
  await browser.close();
  await site.close();
}

// --- report ----------------------------------------------------------------------------------
const LABEL: Record<Lib, string> = {
  "apptuit-relay": "apptuit, relay (compact `text/plain` beacon)",
  "apptuit-direct": "apptuit, direct (keepalive `fetch`, JSON)",
  otel: "OpenTelemetry, as its docs set it up",
  "otel-pagehide": "OpenTelemetry + `pagehide` → `forceFlush()`",
};
const pct = (r: Run | undefined) => (r ? `${num((100 * r.delivered) / r.n, 3)} %` : "–");
const allSizes = [...new Set(runs.map((r) => r.n))].sort((a, b) => a - b);
let md = "## Unload delivery\n\n";
md +=
  `Chromium ${chromium}; one page per run on 127.0.0.1 (fresh browser context), served by \`serve()\` with the ` +
  "embedded backend behind a same-origin `createRelay` (relay mode) or at `/api/put` (direct mode, token in the page), " +
  "and an OTLP/HTTP endpoint on the same server that counts data points. The page records n counter series " +
  "(10 names, 2–3 tags; interval 600 s, so only the page-hide path can deliver), then is closed at once with " +
  "`page.close({ runBeforeUnload: true })` or navigated to another page. Share = distinct series that reached the " +
  "server ÷ n, counted until nothing more arrived for 1 s. OpenTelemetry: `MeterProvider` + " +
  "`PeriodicExportingMetricReader` + `OTLPMetricExporter` (HTTP/JSON, `fetch` with `keepalive`), defaults as documented " +
  "(its 2,000-series-per-instrument limit included: our 10 names keep every instrument under it at these sizes).\n\n";
md += `Largest page whose page-hide flush fits the 64 KiB keepalive quota, computed with the SDK's own code: **relay mode ${int(maxRelay)} series** (compact format), **direct mode ${int(maxDirect)} series** (uncompressed OpenTSDB JSON: gzip is asynchronous, and unload work must be synchronous). Both sizes are in the table.\n\n`;
md += table(
  ["series", ...LIBS.flatMap(([lib]) => CLOSES.map((c) => `${LABEL[lib]} — ${c === "close" ? "close" : "navigate"}`))],
  allSizes.map((n) => [int(n), ...LIBS.flatMap(([lib]) => CLOSES.map((c) => pct(runs.find((r) => r.lib === lib && r.n === n && r.close === c))))]),
  ["r", ...LIBS.flatMap(() => CLOSES.map(() => "r" as const))],
);
md += "\n\nOTel's own transport drops `keepalive` for bodies over 60 KB and sends them as ordinary `fetch`es; in this " +
  "setup Chromium still completed those requests started from `pagehide` (on close and on navigation), so OTel with a " +
  "`pagehide` handler delivered every series at every size, while our page-hide flush stops where the quota ends and " +
  "keeps the rest in the retry buffer (lost when the page is really gone). Whether ordinary requests survive like this " +
  "on real networks and in other browsers is not measured here; loopback favours them. The same runs with DevTools " +
  `network emulation turned on once the page is ready (${SLOW.latency} ms latency, ${(SLOW.uploadThroughput * 8) / 1e6} Mbit/s up, ` +
  `${(SLOW.downloadThroughput * 8) / 1e6} Mbit/s down) did not change that:\n\n`;
md += table(
  ["series", ...SLOW_LIBS.flatMap((lib) => CLOSES.map((c) => `${LABEL[lib]} — ${c}`))],
  SLOW_SIZES.map((n) => [int(n), ...SLOW_LIBS.flatMap((lib) => CLOSES.map((c) => pct(slowRuns.find((r) => r.lib === lib && r.n === n && r.close === c))))]),
  ["r", ...SLOW_LIBS.flatMap(() => CLOSES.map(() => "r" as const))],
);
const ours = runs.filter((r) => r.lib.startsWith("apptuit"));
const goals: Goal[] = (["apptuit-relay", "apptuit-direct"] as Lib[]).map((lib) => {
  const limit = lib === "apptuit-relay" ? maxRelay : maxDirect;
  const within = ours.filter((r) => r.lib === lib && r.n <= limit);
  const bad = within.filter((r) => r.delivered !== r.n);
  return {
    goal: `${lib}: 100 % delivered on close/navigation up to the quota's largest page (${int(limit)} series)`,
    result: bad.length === 0 ? `${within.length}/${within.length} runs at 100 %` : bad.map((r) => `${r.n} ${r.close}: ${pct(r)}`).join("; "),
    met: bad.length === 0,
  };
});
const losses: string[] = [];
for (const r of [...runs, ...slowRuns].filter((x) => x.lib.startsWith("otel"))) {
  const mine = (r.slow ? slowRuns : ours).find((o) => o.n === r.n && o.close === r.close && o.lib === "apptuit-relay");
  if (mine && r.delivered > mine.delivered) losses.push(`Unload: ${LABEL[r.lib]} delivered more than our relay mode at ${int(r.n)} series (${r.close}${r.slow ? ", slow uplink" : ""}): ${pct(r)} vs ${pct(mine)}.`);
}
for (const r of ours.filter((x) => x.delivered < x.n))
  losses.push(`Unload: ${LABEL[r.lib]} delivered ${pct(r)} of ${int(r.n)} series (${r.close})${r.n > (r.lib === "apptuit-relay" ? maxRelay : maxDirect) ? " — beyond what the 64 KiB quota carries" : ""}.`);
finish({ part: "unload", title: "Unload delivery", startedAt: new Date(started).toISOString(), durationMs: Date.now() - started, markdown: md, losses, goals, versions: { chromium } });
