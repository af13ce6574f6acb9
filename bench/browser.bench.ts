// Browser main-thread cost of a flush: Chromium loads a page with our script-tag build,
// records 1,000 or 10,000 series, then flushes. The longest main-thread task during the
// flush comes from a Chrome trace (RunTask events), and the time from the flush() call to
// the next task from performance.now() in the page. OTel's forceFlush() is the anchor.
// A CPU profile of the 10,000-series flush (unminified build) shows where the time goes.
import type { Browser, Page } from "playwright-core";
import { launchChromium } from "../test/harness/chromium";
import { buildApptuitDev, buildOtelIife } from "./lib/builds";
import { finish, median, num, ratio, ROOT, table, type Goal } from "./lib/result";
import { startSite, type Lib, type Site } from "./lib/site";

const started = Date.now();
const SIZES = [1_000, 10_000];
const REPS = 5;
const LIBS: [Lib, string, Record<string, string>][] = [
  ["apptuit-relay", "apptuit, relay mode (compact format)", {}],
  ["apptuit-direct", "apptuit, direct mode (gzip OpenTSDB JSON)", {}],
  // The cardinality limit is lifted so that OTel exports every series, as we do.
  ["otel", "OpenTelemetry forceFlush (OTLP/HTTP JSON)", { cardinality: "1000000" }],
];

interface Flush {
  longestTask: number;
  busy: number;
  toNextTask: number;
  total: number;
  tasksOver50: number;
}

/**
 * One flush without tracing: a MessageChannel heartbeat runs through it, and the largest
 * gap between two beats is the longest the main thread was blocked (a task, or tasks
 * back to back) — what an input event would have waited.
 */
async function heartbeatFlush(page: Page): Promise<Flush> {
  await page.evaluate(() => (window as any).__record());
  await page.waitForTimeout(150);
  return page.evaluate(
    () =>
      new Promise<Flush>((resolve) => {
        setTimeout(() => {
          const ch = new MessageChannel();
          let last = performance.now();
          let longest = 0;
          let over50 = 0;
          let running = true;
          let next: number | undefined;
          ch.port1.onmessage = () => {
            const t = performance.now();
            if (next === undefined) next = t - t0;
            const gap = t - last;
            if (gap > longest) longest = gap;
            if (gap > 50) over50++;
            last = t;
            if (running) ch.port2.postMessage(0);
          };
          const t0 = performance.now();
          ch.port2.postMessage(0);
          Promise.resolve((window as any).__flush()).then(() => {
            const total = performance.now() - t0;
            // Let the last beat land after the settling task.
            setTimeout(() => {
              running = false;
              resolve({ longestTask: longest, busy: NaN, toNextTask: next ?? NaN, total, tasksOver50: over50 });
            }, 20);
          });
        }, 0);
      }),
  );
}

/** One flush in the page, with a Chrome trace around it. */
async function traceFlush(browser: Browser, page: Page): Promise<Flush> {
  await page.evaluate(() => (window as any).__record());
  await page.waitForTimeout(150);
  await browser.startTracing(page, {
    categories: ["toplevel", "devtools.timeline", "disabled-by-default-devtools.timeline", "blink.user_timing"],
  });
  const timing = await page.evaluate(
    () =>
      new Promise<{ toNextTask: number; total: number }>((resolve) => {
        performance.mark("flush-start");
        setTimeout(() => {
          let next: number | undefined;
          let done: number | undefined;
          const t0 = performance.now();
          const ch = new MessageChannel();
          const settle = () => {
            if (next === undefined || done === undefined) return;
            performance.mark("flush-end");
            resolve({ toNextTask: next - t0, total: done - t0 });
          };
          ch.port1.onmessage = () => {
            next = performance.now();
            settle();
          };
          ch.port2.postMessage(0);
          Promise.resolve((window as any).__flush()).then(() => {
            done = performance.now();
            settle();
          });
        }, 0);
      }),
  );
  await page.waitForTimeout(100);
  const trace = JSON.parse((await browser.stopTracing()).toString("utf8")) as { traceEvents: TraceEvent[] };
  return { ...timing, ...longestTask(trace.traceEvents) };
}

interface TraceEvent {
  name: string;
  ph: string;
  ts: number;
  dur?: number;
  pid: number;
  tid: number;
  cat: string;
}

function longestTask(events: TraceEvent[]): { longestTask: number; busy: number; tasksOver50: number } {
  const start = events.find((e) => e.name === "flush-start");
  const end = events.find((e) => e.name === "flush-end");
  if (!start || !end) throw new Error("trace has no flush marks");
  const tasks = events.filter(
    (e) =>
      e.name === "RunTask" &&
      e.ph === "X" &&
      e.pid === start.pid &&
      e.tid === start.tid &&
      e.ts <= end.ts &&
      e.ts + (e.dur ?? 0) >= start.ts,
  );
  const durs = tasks.map((t) => (t.dur ?? 0) / 1000);
  return { longestTask: Math.max(0, ...durs), busy: durs.reduce((a, b) => a + b, 0), tasksOver50: durs.filter((d) => d > 50).length };
}

async function openPage(browser: Browser, url: string): Promise<Page> {
  const page = await (await browser.newContext()).newPage();
  await page.goto(url);
  await page.waitForFunction(() => (window as any).__ready === true);
  return page;
}

/** Self and inclusive time per function during one flush (CDP sampling profiler). */
async function profileFlush(page: Page): Promise<{ name: string; self: number; total: number }[]> {
  const cdp = await page.context().newCDPSession(page);
  await page.evaluate(() => (window as any).__record());
  await cdp.send("Profiler.enable");
  await cdp.send("Profiler.setSamplingInterval", { interval: 100 });
  await cdp.send("Profiler.start");
  await page.evaluate(() => new Promise((r) => setTimeout(() => Promise.resolve((window as any).__flush()).then(r), 0)));
  const { profile } = (await cdp.send("Profiler.stop")) as any;
  const parent = new Map<number, number>();
  const byId = new Map<number, any>();
  for (const node of profile.nodes) {
    byId.set(node.id, node);
    for (const child of node.children ?? []) parent.set(child, node.id);
  }
  const label = (node: any) => {
    const f = node.callFrame;
    const file = f.url ? f.url.split("/").pop() : "";
    return `${f.functionName || "(anonymous)"}${file ? ` (${file})` : ""}`;
  };
  const self = new Map<string, number>();
  const total = new Map<string, number>();
  profile.samples.forEach((id: number, i: number) => {
    const dt = (profile.timeDeltas[i + 1] ?? profile.timeDeltas[i] ?? 0) / 1000;
    const leaf = byId.get(id);
    if (["(idle)", "(program)", "(root)"].includes(leaf.callFrame.functionName)) return;
    self.set(label(leaf), (self.get(label(leaf)) ?? 0) + dt);
    const seen = new Set<string>();
    for (let n: number | undefined = id; n !== undefined; n = parent.get(n)) {
      const l = label(byId.get(n));
      if (seen.has(l)) continue;
      seen.add(l);
      total.set(l, (total.get(l) ?? 0) + dt);
    }
  });
  await cdp.detach();
  return [...total.entries()]
    .filter(([name]) => !name.startsWith("(root)") && !name.startsWith("(anonymous) (page"))
    .map(([name, t]) => ({ name, self: self.get(name) ?? 0, total: t }))
    .sort((a, b) => b.total - a.total);
}

// --- run ----------------------------------------------------------------------------------
const [otelIife, apptuitDev] = await Promise.all([buildOtelIife(), buildApptuitDev()]);
const site: Site = await startSite({
  apptuitIife: `${ROOT}dist/apptuit.iife.js`,
  apptuitDirectIife: `${ROOT}dist/apptuit-direct.iife.js`,
  otelIife,
  apptuitDev,
});
const browser = await launchChromium();
const results: { lib: Lib; label: string; n: number; flushes: Flush[]; traced: Flush }[] = [];
const profiles: { lib: Lib; n: number; top: { name: string; self: number; total: number }[] }[] = [];
try {
  for (const n of SIZES) {
    for (const [lib, label, extra] of LIBS) {
      const page = await openPage(browser, site.page(lib, n, extra));
      const flushes: Flush[] = [];
      for (let r = 0; r < REPS; r++) flushes.push(await heartbeatFlush(page));
      const traced = await traceFlush(browser, page);
      await page.context().close();
      results.push({ lib, label, n, flushes, traced });
      console.log(
        `main thread ${lib} ${n}: longest block ${flushes.map((f) => num(f.longestTask)).join(", ")} ms; traced ${num(traced.longestTask)} ms`,
      );
    }
  }
  for (const lib of ["apptuit-relay", "apptuit-direct"] as Lib[]) {
    const page = await openPage(browser, site.page(lib, 10_000, { dev: "1" }));
    await profileFlush(page); // warm-up, as in the timed runs
    profiles.push({ lib, n: 10_000, top: await profileFlush(page) });
    await page.context().close();
  }
} finally {
  const version = browser.version();
  await browser.close();
  await site.close();
  (globalThis as any).chromiumVersion = version;
}

// --- report -------------------------------------------------------------------------------
const chromium = (globalThis as any).chromiumVersion as string;
const med = (fs: Flush[], k: keyof Flush) => median(fs.map((f) => f[k]));
const max = (fs: Flush[], k: keyof Flush) => Math.max(...fs.map((f) => f[k]));
let md = "## Browser main-thread cost of a flush\n\n";
md +=
  `Chromium ${chromium} (headless, playwright-core), page on 127.0.0.1. The page loads the library and records ` +
  "the series (counters, 10 names, 2–3 tags); then each of " +
  `${REPS} rounds increments every series and runs one flush from a fresh task: ours \`init(…).flush()\` ` +
  "(the interval flush, sliced as `init()` sets it up: collect, then prepare and encode in slices of 256 points, giving the " +
  "thread back through a `MessageChannel` task once 3 ms of work have passed, then `fetch`), OTel `provider.forceFlush()` " +
  "(cardinality limit lifted so it " +
  "exports every series too). **Longest block** = the largest gap of a `MessageChannel` heartbeat running through the " +
  "flush until it settled (the longest the main thread could not answer an input; the long-task observer only sees " +
  "tasks > 50 ms); **first task** = `performance.now()` from the `flush()` call to the next task. Median of the rounds, " +
  "max in brackets (the first round runs on cold JIT, as a page's first interval flush does). **Traced** = the longest " +
  "`RunTask` of the page's main thread in a Chrome trace of one more flush (tracing itself slows the page, so it reads higher).\n\n";
const base = (n: number) => results.find((r) => r.n === n && r.lib === "apptuit-relay")!;
md += table(
  ["series", "library", "longest block ms", "first task ms", "flush settled ms", "traced longest task ms", "longest block × apptuit relay"],
  results.map((r) => [
    r.n.toLocaleString("en-US"),
    r.label,
    `${num(med(r.flushes, "longestTask"))} (${num(max(r.flushes, "longestTask"))})`,
    num(med(r.flushes, "toNextTask")),
    num(med(r.flushes, "total")),
    num(r.traced.longestTask),
    ratio(med(r.flushes, "longestTask"), med(base(r.n).flushes, "longestTask")),
  ]),
  ["r", "l", "r", "r", "r", "r", "r"],
);
md += "\n\n### Where the 10,000-series flush spends main-thread time (CPU profile, unminified build)\n\n";
md += "Inclusive (total) and self milliseconds per function, sampling every 0.1 ms; top entries.\n\n";
for (const p of profiles) {
  md += `**${p.lib}**\n\n`;
  md += table(
    ["function", "total ms", "self ms"],
    p.top.slice(0, 14).map((f) => [`\`${f.name}\``, num(f.total), num(f.self)]),
    ["l", "r", "r"],
  );
  md += "\n\n";
}

const goals: Goal[] = [];
const losses: string[] = [];
for (const lib of ["apptuit-relay", "apptuit-direct"] as Lib[]) {
  const at = (n: number) => results.find((r) => r.lib === lib && r.n === n)!;
  const t10 = max(at(10_000).flushes, "longestTask");
  const t1 = max(at(1_000).flushes, "longestTask");
  goals.push({
    goal: `${lib}: no task over 50 ms flushing 10,000 series`,
    result: `longest block ${num(t10)} ms (max of ${REPS}; median ${num(med(at(10_000).flushes, "longestTask"))})`,
    met: t10 <= 50,
  });
  goals.push({
    goal: `${lib}: longest task under 5 ms flushing 1,000 series`,
    result: `longest block ${num(t1)} ms (max of ${REPS}; median ${num(med(at(1_000).flushes, "longestTask"))})`,
    met: t1 < 5,
  });
  for (const n of SIZES) {
    const ours = med(at(n).flushes, "longestTask");
    const otel = med(results.find((r) => r.lib === "otel" && r.n === n)!.flushes, "longestTask");
    if (otel < ours)
      losses.push(
        `Main thread: OTel's forceFlush has a shorter longest task than ${lib} at ${n.toLocaleString("en-US")} series (${num(otel)} ms vs ${num(ours)} ms).`,
      );
  }
}
finish({
  part: "browser",
  title: "Browser main thread",
  startedAt: new Date(started).toISOString(),
  durationMs: Date.now() - started,
  markdown: md,
  losses,
  goals,
  versions: { chromium },
});
