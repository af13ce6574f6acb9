// Test pages. `%ORIGIN%` is replaced by the server's origin when served.
import { MetricsRegistry } from "../../src/registry";
import { TOKEN } from "./support";

export type Mode = "direct" | "relay";

export function initOptions(mode: Mode, extra = ""): string {
  return mode === "direct"
    ? `{ endpoint: "%ORIGIN%", token: ${JSON.stringify(TOKEN)}, interval: 600000, onError: (s, ok, bad, errors) => console.error("apptuit", s, ok, bad, String(errors[0])) ${extra} }`
    : `{ relayUrl: "/apptuit", interval: 600000, onError: (s, ok, bad, errors) => console.error("apptuit", s, ok, bad, String(errors[0])) ${extra} }`;
}

/** The script tag of a mode: the relay-mode page SDK, or the full one with direct mode. */
export const scriptFor = (mode: Mode): string => (mode === "direct" ? "/dist/apptuit-direct.iife.js" : "/dist/apptuit.iife.js");

/** The IIFE page's workload on a registry `r`: N counters, a timer, a histogram, a meter, a callback gauge. */
export const WORKLOAD = `
  for (let i = 0; i < counters; i++) r.counter("clicks", { button: "b" + i }).inc(i + 1);
  const t = r.timer("render"); t.update(10); t.update(30);
  r.histogram("payload.bytes", { kind: "json" }).update(100);
  r.histogram("payload.bytes", { kind: "json" }).update(300);
  r.meter("events").mark(5);
  r.gauge("queue.length", () => 7);`;

/** The fields a registry holding `workload` stores: without the rates through a relay (one that passes each page's deltas through has no window for them). */
function storedFields(mode: Mode, workload: (r: MetricsRegistry) => void): number {
  const r = new MetricsRegistry();
  workload(r);
  return r.collect().filter((p) => mode === "direct" || !/_rate$/.test(p.metric)).length;
}

/** The points the reporter's own send stats are on the page: 9 field points (direct mode), or 4 counters and a timer (relay mode). */
export const sendStatsSent = (mode: Mode): number => (mode === "direct" ? 9 : 5);

/**
 * The points the reporter's own send stats become once stored: direct mode sends its 9
 * field points; a relay page's 4 counters and timer are expanded as any counter and timer.
 */
export function sendStatsPoints(mode: Mode): number {
  if (mode === "direct") return 9;
  return storedFields(mode, (r) => {
    for (const name of ["total", "successful", "failed", "dropped"]) r.counter(`apptuit.reporter.send.${name}`).inc();
    r.timer("apptuit.reporter.send.time").update(1);
  });
}

/**
 * The points the final flush of the IIFE page carries, counted on a full registry with the
 * same workload (a cumulative collect), plus the reporter's send stats.
 */
export function expectedPoints(mode: Mode, counters: number): number {
  return storedFields(mode, (r) => new Function("r", "counters", WORKLOAD)(r, counters)) + sendStatsPoints(mode);
}

/** Only the IIFE by <script src>: the workload above. */
export function iifePage(mode: Mode, counters: number): string {
  return `<!doctype html><meta charset="utf-8"><title>iife</title>
<script src="${scriptFor(mode)}"></script>
<script>
  const handle = Apptuit.init(${initOptions(mode, `, tags: { page: "iife" }`)});
  const r = handle.registry;
  const counters = ${counters};
  ${WORKLOAD}
  window.pageReady = true;
</script>`;
}

/** Many series recorded, then closed at once: the 64 KiB keepalive quota is the limit. */
export function quotaPage(mode: Mode, series: number): string {
  return `<!doctype html><meta charset="utf-8"><title>quota</title>
<script src="${scriptFor(mode)}"></script>
<script>
  // The page tag tells this page's points apart from any that a late request of an earlier page stores.
  const handle = Apptuit.init(${initOptions(mode, `, tags: { page: "q${series}" }`)});
  for (let i = 0; i < ${series}; i++) handle.registry.counter("quota.hits", { series: "s" + i }).inc(i + 1);
  // Points the page-hide flush will carry: one per counter, plus the reporter's send stats
  // (sent: as the page counts them; stored: once the relay has expanded them).
  window.sentPoints = ${series} + ${sendStatsSent(mode)};
  window.expectedPoints = ${series} + ${sendStatsPoints(mode)};
  window.pageReady = true;
</script>`;
}
