// Soak: a reporter flushing every second to the embedded backend while 10,000 series take
// ~100k updates/s, for APPTUIT_SOAK_MS (default 20 s; 600000 for the 10-minute run). The
// heap, sampled after a forced GC once per flush (between flushes, never while the next one
// holds its prepared points and bodies), must stay flat: the average of the last
// third of the samples within HEAP_BOUND_MB of the average of the first third. The books
// must balance at the end with nothing rejected or dropped.
import { setImmediate as yieldToLoop } from "node:timers/promises";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { expect, it } from "vitest";
import { Apptuit } from "../../src/core/client";
import { createBackend } from "../../src/backend";
import { MetricsRegistry } from "../../src/registry";
import { ApptuitReporter } from "../../src/reporter";
import { Ledger, sleep, TOKEN } from "./support";

const SOAK_MS = Number(process.env.APPTUIT_SOAK_MS ?? 20_000);
const TARGET_RATE = 100_000; // updates per second
const HEAP_BOUND_MB = 10;
const SERIES = { counters: 9_000, meters: 500, histograms: 300, timers: 200 };

/** `global.gc` when run with --expose-gc; otherwise switched on at run time. */
function forceGc(): () => void {
  const existing = (globalThis as { gc?: () => void }).gc;
  if (existing) return existing;
  setFlagsFromString("--expose-gc");
  return runInNewContext("gc") as () => void;
}

const mb = (bytes: number) => bytes / 1024 / 1024;
const average = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;

it(
  `stays flat under 10,000 series and ~${TARGET_RATE / 1000}k updates/s for ${SOAK_MS / 1000} s`,
  async () => {
    const gc = forceGc();
    const backend = createBackend();
    let stored = 0;
    const client = new Apptuit({
      token: TOKEN,
      endpoint: "http://soak.test",
      retry: 0,
      // In process: the backend on Request/Response. Stored points are counted, then
      // forgotten, so the backend's memory does not hide (or fake) the reporter's.
      fetch: async (input, init) => {
        const response = await backend.fetch(new Request(input as Request, init));
        stored += backend.stats().pointsStored;
        backend.reset();
        return response;
      },
    });
    const registry = new MetricsRegistry({ maxSeries: 20_000 });
    const counters = Array.from({ length: SERIES.counters }, (_, i) => registry.counter("soak.requests", { route: `/r${i}` }));
    const meters = Array.from({ length: SERIES.meters }, (_, i) => registry.meter("soak.events", { kind: `k${i}` }));
    const histograms = Array.from({ length: SERIES.histograms }, (_, i) => registry.histogram("soak.size", { bucket: `b${i}` }));
    const timers = Array.from({ length: SERIES.timers }, (_, i) => registry.timer("soak.latency", { op: `op${i}` }));
    expect(registry.size).toBe(10_000);

    const ledger = new Ledger();
    const reporter = new ApptuitReporter({ registry, client, interval: 1_000, onError: ledger.handler, tags: { host: "soak" } });
    reporter.start();

    const samples: number[] = [];
    const started = performance.now();
    let updates = 0;
    let k = 0;
    let lastFlushes = 0;
    while (performance.now() - started < SOAK_MS) {
      for (let j = 0; j < 2_000; j++) {
        k = (k + 7_919) % 10_000; // a stride that visits every series
        if (k < 9_000) counters[k]!.inc();
        else if (k < 9_500) meters[k - 9_000]!.mark();
        else if (k < 9_800) histograms[k - 9_500]!.update((k * 31 + updates) % 5_000);
        else timers[k - 9_800]!.update(1 + ((updates + k) % 250));
        updates++;
      }
      await yieldToLoop();
      // Pace to the target rate: sleep off whatever we are ahead of schedule.
      const ahead = (updates * 1000) / TARGET_RATE - (performance.now() - started);
      if (ahead >= 1) await sleep(ahead);
      const { flushes, inFlight } = reporter.stats();
      // Once per completed flush, at the first look with no flush under way (if the next one
      // has already started, wait for it: its prepared points and bodies are not retained
      // memory): collect garbage, then read what is really retained.
      if (flushes !== lastFlushes && inFlight === 0) {
        lastFlushes = flushes;
        gc();
        samples.push(process.memoryUsage().heapUsed);
      }
    }
    const elapsed = performance.now() - started;
    await reporter.stop();

    const s = reporter.stats();
    const rate = Math.round(updates / (elapsed / 1000));
    const third = Math.max(1, Math.floor(samples.length / 3));
    const first = average(samples.slice(0, third));
    const last = average(samples.slice(-third));
    console.log(
      [
        `soak: ${(elapsed / 1000).toFixed(1)} s, ${updates} updates (${rate}/s), ${s.flushes} flushes, ${s.recorded} points recorded, ${stored} stored`,
        `heap MB after gc, per flush: ${samples.map((b) => mb(b).toFixed(1)).join(" ")}`,
        `first third avg ${mb(first).toFixed(1)} MB, last third avg ${mb(last).toFixed(1)} MB, growth ${mb(last - first).toFixed(2)} MB (bound ${HEAP_BOUND_MB} MB)`,
      ].join("\n"),
    );

    expect(samples.length).toBeGreaterThanOrEqual(Math.min(9, Math.floor(SOAK_MS / 1_000) - 3));
    expect(mb(last - first)).toBeLessThanOrEqual(HEAP_BOUND_MB);
    expect(ledger.calls).toEqual([]);
    expect(s.rejected + s.dropped + s.buffered + s.inFlight).toBe(0);
    expect(s.delivered).toBe(s.recorded);
    expect(stored).toBe(s.delivered);
  },
  SOAK_MS + 60_000,
);
