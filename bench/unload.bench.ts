// Unload delivery: Chromium pages record n series and are closed (or navigated away) right
// after; the share of series that reach the server. Ours through a same-origin relay and
// directly to the write API; OpenTelemetry's browser metrics SDK as its docs set it up,
// and again with a `pagehide` → forceFlush() listener as the best effort a user might add.
// The largest page whose page-hide flush the 64 KiB keepalive quota carries is computed
// with the SDK's own page-hide code — the channels `init()` builds (`beaconChannel`, and
// `directMode`'s `keepaliveChannel`) and `flushPage` — against a fake browser that keeps
// the quota as Chromium does; then every size is checked in Chromium.
import type { Browser } from "playwright-core";
import { Apptuit, MetricsRegistry } from "../src/index";
import { directMode } from "../src/platforms/browser/direct-mode";
import { PageRegistry } from "../src/platforms/browser/page-registry";
import { relayMode } from "../src/platforms/browser/relay-mode";
import { KeepaliveQuota, utf8Length } from "../src/platforms/browser/quota";
import { flushPage } from "../src/platforms/browser/urgent-flush";
import { launchChromium } from "../test/harness/chromium";
import { buildOtelIife } from "./lib/builds";
import { finish, int, num, ROOT, table, type Goal } from "./lib/result";
import { seriesName, seriesTags } from "./lib/series";
import { startSite, TOKEN, type Lib, type Site } from "./lib/site";

const started = Date.now();
const SIZES = [100, 1_000, 5_000];
const CLOSES = ["close", "navigate"] as const;
type Close = (typeof CLOSES)[number];
const QUOTA = 65_536;

// --- the largest page the quota carries, by the SDK's own page-hide code ------------------
/**
 * What the page-hide channels touch of a browser: `navigator.sendBeacon` and `fetch`, with
 * Chromium's 64 KiB budget for beacon and keepalive bodies in flight (over it, sendBeacon
 * returns false and a keepalive fetch rejects). The page is being torn down, so nothing in
 * flight ever comes back to the budget. Ordinary fetches (the flush's requests beyond the
 * quota) are counted apart.
 */
function withFakeBrowser<T>(run: (sent: { quotaBytes: number; posted: number }) => T): T {
  const sent = { quotaBytes: 0, posted: 0 };
  const take = (body: unknown): boolean => {
    const bytes = utf8Length(String(body));
    if (sent.quotaBytes + bytes > QUOTA) return false;
    sent.quotaBytes += bytes;
    return true;
  };
  const fakeFetch = async (_url: unknown, init?: RequestInit): Promise<Response> => {
    if (init?.keepalive) {
      if (!take(init.body)) throw new TypeError("Failed to fetch (keepalive quota)");
    } else sent.posted++;
    return new Response(null, { status: 200 });
  };
  const saved = {
    fetch: Object.getOwnPropertyDescriptor(globalThis, "fetch"),
    navigator: Object.getOwnPropertyDescriptor(globalThis, "navigator"),
  };
  Object.defineProperty(globalThis, "fetch", { value: fakeFetch, configurable: true, writable: true });
  Object.defineProperty(globalThis, "navigator", { value: { sendBeacon: (_url: string, body: string) => take(body) }, configurable: true });
  try {
    return run(sent);
  } finally {
    for (const [key, d] of Object.entries(saved)) if (d) Object.defineProperty(globalThis, key, d);
  }
}

/** Does the page-hide flush of a page with n series go out entirely within the quota (no ordinary POSTs, nothing kept)? */
function fitsQuota(mode: "relay" | "direct", n: number): boolean {
  // The registry each script tag's init() makes: the page registry in relay mode, the full one in direct mode.
  const registry = mode === "relay" ? new PageRegistry({ maxSeries: n + 100 }) : new MetricsRegistry({ maxSeries: n + 100 });
  for (let i = 0; i < n; i++) registry.counter(seriesName(i), seriesTags(i)).inc();
  // As init() builds them, with its defaults (quota timers never fire: the page is gone).
  const quota = new KeepaliveQuota(QUOTA, () => undefined);
  const limits = { maxBodyBytes: 65_536, maxPoints: 5_000, timeout: 10_000 };
  // ownRegistry: the reporter's own send stats, in a registry of the entry's kind as init() makes it.
  const ownRegistry = () => (mode === "relay" ? new PageRegistry() : new MetricsRegistry());
  const ctx = { quota, limits, globalTags: { runtime: "browser" }, registry, ownRegistry, sliceSize: 256, yield: () => undefined };
  // The page's reporter, sender and channel exactly as each mode builds them for init().
  const { reporter, sender, channel } =
    mode === "relay"
      ? relayMode({ relayUrl: "/apptuit", interval: 600_000, onError: null }, ctx)
      : directMode(Apptuit)({ endpoint: "http://127.0.0.1:9", token: TOKEN, interval: 600_000, onError: null }, ctx);
  return withFakeBrowser((sent) => {
    const r = flushPage(reporter, sender, channel, quota);
    return r.kept === 0 && r.posted === 0 && sent.posted === 0;
  });
}
function largestFitting(mode: "relay" | "direct"): number {
  let lo = 1;
  let hi = 20_000;
  if (!fitsQuota(mode, lo)) throw new Error(`unload: a one-series ${mode} page does not fit the quota — the fake browser is wrong`);
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
  /** Requests that reached the server, and how many of them were not answered 2xx. */
  arrived: number;
  failed: number;
  extra?: string;
  slow?: boolean;
}
/** Pages per cell: the outcome of ordinary requests from a page going away varies from run to run. */
const REPEATS = 3;
const SLOW_REPEATS = 2;

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
  const requests = site.requests().filter((r) => r.path !== "/page" && r.path !== "/blank");
  const failed = requests.filter((r) => r.status >= 300).length;
  return { lib, n, close, delivered: count(), arrived: requests.length, failed, ...(extra ? { extra } : {}), ...(slow ? { slow } : {}) };
}

const otelIife = await buildOtelIife();
const site = await startSite({
  apptuitIife: `${ROOT}dist/apptuit.iife.js`,
  apptuitDirectIife: `${ROOT}dist/apptuit-direct.iife.js`,
  otelIife,
});
const browser = await launchChromium();
const runs: Run[] = [];
const slowRuns: Run[] = [];
const SLOW_LIBS: Lib[] = ["apptuit-relay", "apptuit-direct", "otel-pagehide"];
const SLOW_SIZES = [1_000, 5_000];
const LIBS: [Lib, number[]][] = [
  ["apptuit-relay", [...SIZES, maxRelay].sort((a, b) => a - b)],
  ["apptuit-direct", [...SIZES, maxDirect].sort((a, b) => a - b)],
  ["otel", SIZES],
  ["otel-pagehide", SIZES],
];
try {
  // Rounds outermost, so that a burst of load on the machine does not fall on one cell only.
  for (let round = 0; round < REPEATS; round++)
    for (const [lib, sizes] of LIBS)
      for (const n of sizes)
        for (const close of CLOSES) {
          const run = await runOnce(browser, site, lib, n, close).catch(() => runOnce(browser, site, lib, n, close));
          runs.push(run);
          console.log(
            `unload ${lib} n=${n} ${close}: ${run.delivered}/${n} (${run.arrived} requests arrived${run.failed ? `, ${run.failed} not 2xx` : ""})${run.extra ? ` (${run.extra})` : ""}`,
          );
        }
  for (let round = 0; round < SLOW_REPEATS; round++)
    for (const lib of SLOW_LIBS)
      for (const n of SLOW_SIZES)
        for (const close of CLOSES) {
          const run = await runOnce(browser, site, lib, n, close, true).catch(() => runOnce(browser, site, lib, n, close, true));
          slowRuns.push(run);
          console.log(`unload (slow uplink) ${lib} n=${n} ${close}: ${run.delivered}/${n} (${run.arrived} requests arrived)`);
        }
} finally {
  // biome-ignore lint/correctness/noInnerDeclarations: read after the try, whatever happened in it
  var chromium = browser.version();
  await browser.close();
  await site.close();
}

// --- report ----------------------------------------------------------------------------------
const LABEL: Record<Lib, string> = {
  "apptuit-relay": "apptuit, relay (compact beacons, then POSTs)",
  "apptuit-direct": "apptuit, direct (keepalive JSON, then ≤ 4 POSTs)",
  otel: "OpenTelemetry, as its docs set it up",
  "otel-pagehide": "OpenTelemetry + `pagehide` → `forceFlush()`",
};
const OURS: Lib[] = ["apptuit-relay", "apptuit-direct"];
const limitOf = (lib: Lib) => (lib === "apptuit-relay" ? maxRelay : maxDirect);
const share = (r: Run) => (100 * r.delivered) / r.n;
const p3 = (x: number) => `${num(x, 3)} %`;
const allSizes = [...new Set(runs.map((r) => r.n))].sort((a, b) => a - b);
const cellOf = (from: Run[], lib: Lib, n: number, c: Close) => from.filter((r) => r.lib === lib && r.n === n && r.close === c);
const worst = (cell: Run[]) => Math.min(...cell.map(share));
/** "100 %" when every page of the cell delivered the same; else the worst, and every page's share. */
const pctCell = (cell: Run[]) => {
  if (cell.length === 0) return "–";
  const shares = cell.map(share);
  return shares.every((x) => x === shares[0]) ? p3(shares[0]!) : `${p3(Math.min(...shares))} (${shares.map((x) => num(x, 3)).join(" / ")})`;
};
const byClose = (from: Run[], libs: Lib[], sizes: number[], c: Close) =>
  table(
    ["series", ...libs.map((lib) => LABEL[lib])],
    sizes.map((n) => [int(n), ...libs.map((lib) => pctCell(cellOf(from, lib, n, c)))]),
    ["r", ...libs.map(() => "r" as const)],
  );
const LIB_NAMES = LIBS.map(([lib]) => lib);
const allRuns = [...runs, ...slowRuns];
const notOk = allRuns.reduce((k, r) => k + r.failed, 0);
let md = "## Unload delivery\n\n";
md +=
  `Chromium ${chromium}; one page per run on 127.0.0.1 (fresh browser context), served by \`serve()\` with the ` +
  "embedded backend behind a same-origin `createRelay` (relay mode) or at `/api/put` (direct mode, token in the page), " +
  "and an OTLP/HTTP endpoint on the same server that counts data points. The page loads `dist/apptuit.iife.js` (`init()`), records n counter series " +
  "(10 names, 2–3 tags; interval 600 s, so only the page-hide path can deliver), then is closed at once with " +
  "`page.close({ runBeforeUnload: true })` or navigated to another page. Share = distinct series that reached the " +
  `server ÷ n, counted until nothing more arrived for 1 s; ${REPEATS} pages per cell (rounds interleaved), the worst shown ` +
  "first and every page's share in brackets when they differ. OpenTelemetry: `MeterProvider` + " +
  "`PeriodicExportingMetricReader` + `OTLPMetricExporter` (HTTP/JSON, `fetch` with `keepalive`), defaults as documented " +
  "(its 2,000-series-per-instrument limit included: our 10 names keep every instrument under it at these sizes).\n\n";
md +=
  "Our page-hide flush (`flushPage`) hands bodies to the browser within the 64 KiB keepalive quota (relay mode: " +
  "compact-format `text/plain` beacons; direct mode: keepalive `fetch`es of plain OpenTSDB JSON, since gzip is asynchronous " +
  "and unload work must be synchronous), and sends what the quota cannot carry as ordinary `POST`s (relay mode: of up to the relay's 64 KiB body limit each; direct mode: at most 4 requests at once, each of at least 64 KiB and up to 50,000 points), " +
  "noting their points in `localStorage` until answered (a later page of the origin reports the unanswered ones as " +
  "`apptuit.browser.unload_unconfirmed`). Largest page carried entirely within the quota, computed with the SDK's own " +
  "channels (`beaconChannel`; `directMode`'s `keepaliveChannel`) and `flushPage` against a browser stand-in that keeps " +
  `the quota as Chromium does: **relay mode ${int(maxRelay)} series**, **direct mode ${int(maxDirect)} series** ` +
  "(both sizes are in the tables); above them, delivery depends on the browser finishing ordinary requests from a page " +
  `that is going away. ${notOk === 0 ? "Every request that reached the server was answered 2xx: a shortfall is requests that never arrived." : `${notOk} request(s) that reached the server were not answered 2xx.`}\n\n`;
md += "### Closing the tab (the goal)\n\n";
md += byClose(runs, LIB_NAMES, allSizes, "close");
md += "\n\n### Navigating away (reported separately)\n\n";
md += byClose(runs, LIB_NAMES, allSizes, "navigate");
md +=
  "\n\nOTel's own transport drops `keepalive` for bodies over 60 KB and sends one ordinary `fetch` per export, where our direct mode spreads the rest beyond the quota over at most 4 parallel POSTs; " +
  "in relay mode we send one POST per 64 KiB (the relay's body limit). Loopback favours ordinary requests started from `pagehide`: whether they survive like " +
  "this on real networks and in other browsers is not measured here. The same runs with DevTools network emulation turned on " +
  `once the page is ready (${SLOW.latency} ms latency, ${(SLOW.uploadThroughput * 8) / 1e6} Mbit/s up, ${(SLOW.downloadThroughput * 8) / 1e6} Mbit/s down), ` +
  `${SLOW_REPEATS} pages per cell:\n\n`;
md += table(
  ["series", ...SLOW_LIBS.flatMap((lib) => CLOSES.map((c) => `${LABEL[lib]} — ${c}`))],
  SLOW_SIZES.map((n) => [int(n), ...SLOW_LIBS.flatMap((lib) => CLOSES.map((c) => pctCell(cellOf(slowRuns, lib, n, c))))]),
  ["r", ...SLOW_LIBS.flatMap(() => CLOSES.map(() => "r" as const))],
);

// Goals: every page closed delivers everything, at every size; navigation reported beside it.
const cells = (from: Run[], lib: Lib, c: Close) =>
  [...new Set(from.filter((r) => r.lib === lib).map((r) => r.n))].sort((a, b) => a - b).map((n) => cellOf(from, lib, n, c));
const summary = (lib: Lib, c: Close) => {
  const all = [...cells(runs, lib, c), ...cells(slowRuns, lib, c)].filter((x) => x.length > 0);
  const pages = all.flat();
  const bad = all.filter((cell) => cell.some((r) => r.delivered !== r.n));
  const text =
    bad.length === 0
      ? `${pages.length}/${pages.length} pages at 100 %`
      : `${pages.filter((r) => r.delivered === r.n).length}/${pages.length} pages at 100 %; short: ` +
        bad.map((cell) => `${int(cell[0]!.n)}${cell[0]!.slow ? " (slow uplink)" : ""} ${pctCell(cell)}`).join("; ");
  return { text, met: bad.length === 0 };
};
const goals: Goal[] = OURS.flatMap((lib): Goal[] => {
  const sizes = [...new Set(runs.filter((r) => r.lib === lib).map((r) => r.n))].sort((a, b) => a - b);
  const close = summary(lib, "close");
  const nav = summary(lib, "navigate");
  return [
    {
      goal: `${lib}: 100 % delivered on close at every size (${sizes.map(int).join(", ")} series; also on a slow uplink at ${SLOW_SIZES.map(int).join(", ")})`,
      result: close.text,
      met: close.met,
    },
    { goal: `${lib}: share delivered on navigation at every size (reported, not a goal)`, result: nav.text, met: "info" },
  ];
});

// Losses: an OTel set-up whose worst page beat our worst page in the same cell, and our short cells.
const losses: string[] = [];
for (const [from, slow] of [
  [runs, false],
  [slowRuns, true],
] as const)
  for (const lib of ["otel", "otel-pagehide"] as Lib[])
    for (const n of allSizes)
      for (const c of CLOSES) {
        const theirs = cellOf(from, lib, n, c);
        if (theirs.length === 0) continue;
        const beaten = OURS.filter((o) => cellOf(from, o, n, c).length > 0 && worst(theirs) > worst(cellOf(from, o, n, c)));
        if (beaten.length > 0)
          losses.push(
            `Unload: ${LABEL[lib]} delivered more than ${beaten.map((o) => `${LABEL[o]} (${pctCell(cellOf(from, o, n, c))})`).join(" and ")} ` +
              `at ${int(n)} series (${c}${slow ? ", slow uplink" : ""}): ${pctCell(theirs)}` +
              `${beaten.every((o) => n > limitOf(o)) ? " — above what our 64 KiB quota carries, where the rest goes as ordinary POSTs" : ""}.`,
          );
      }
const beyondOk = runs.filter((r) => OURS.includes(r.lib) && r.n > limitOf(r.lib) && r.delivered === r.n);
if (beyondOk.length > 0)
  losses.push(
    "Unload: wherever we deliver 100 % above the quota's largest page we are on the same footing as OpenTelemetry + `pagehide`: it rests " +
      "on Chromium finishing ordinary POSTs started while the page goes away (here on loopback and an emulated slow link), which no spec " +
      "promises; points that do not arrive are counted by the next page of the origin (`apptuit.browser.unload_unconfirmed`), not recovered.",
  );
finish({
  part: "unload",
  title: "Unload delivery",
  startedAt: new Date(started).toISOString(),
  durationMs: Date.now() - started,
  markdown: md,
  losses,
  goals,
  versions: { chromium },
});
