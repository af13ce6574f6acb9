// Test pages. `%ORIGIN%` is replaced by the server's origin when served.
import { TOKEN } from "./support";

export type Mode = "direct" | "relay";

export function initOptions(mode: Mode, extra = ""): string {
  return mode === "direct"
    ? `{ endpoint: "%ORIGIN%", token: ${JSON.stringify(TOKEN)}, interval: 600000, onError: (s, ok, bad, errors) => console.error("apptuit", s, ok, bad, String(errors[0])) ${extra} }`
    : `{ relayUrl: "/apptuit", interval: 600000, onError: (s, ok, bad, errors) => console.error("apptuit", s, ok, bad, String(errors[0])) ${extra} }`;
}

/** The script tag of a mode: the relay-mode page SDK, or the full one with direct mode. */
export const scriptFor = (mode: Mode): string => (mode === "direct" ? "/dist/apptuit-direct.iife.js" : "/dist/apptuit.iife.js");

/** Only the IIFE by <script src>: N counters, a timer, a histogram, a meter, a callback gauge. */
export function iifePage(mode: Mode, counters: number): string {
  return `<!doctype html><meta charset="utf-8"><title>iife</title>
<script src="${scriptFor(mode)}"></script>
<script>
  const handle = Apptuit.init(${initOptions(mode, `, tags: { page: "iife" }`)});
  const r = handle.registry;
  for (let i = 0; i < ${counters}; i++) r.counter("clicks", { button: "b" + i }).inc(i + 1);
  const t = r.timer("render"); t.update(10); t.update(30);
  r.histogram("payload.bytes", { kind: "json" }).update(100);
  r.histogram("payload.bytes", { kind: "json" }).update(300);
  r.meter("events").mark(5);
  r.gauge("queue.length", () => 7);
  // A cumulative collect does not move the delta state: the number of registry points the
  // final flush will carry (the reporter adds its 9 meta points). Through a relay that passes
  // each page's deltas through, meters and timers come without rates: those need a window.
  window.expectedPoints = r.collect().filter((p) => ${mode === "relay" ? "!/_rate$/.test(p.metric)" : "true"}).length + 9;
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
  // Points the page-hide flush will carry: the series plus the reporter's 9 meta points.
  window.expectedPoints = handle.registry.collect().length + 9;
  window.pageReady = true;
</script>`;
}
