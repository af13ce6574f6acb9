/**
 * Simulated tabs: the page SDK's own `init` (relay mode) run many times in one process,
 * each with its own registry, posting through `fetch` straight into a relay handler. Each
 * tab records a known workload, so a test knows the exact totals and every timer value.
 */
import { init } from "../../src/platforms/browser/relay-entry";
import { mulberry32 } from "./random";

export interface TabsRecord {
  clicks: number;
  marks: number;
  /** Every duration any tab recorded, for exact percentiles. */
  durations: number[];
  gaugeReadings: number[];
}

export interface Tab {
  handle: ReturnType<typeof init>;
  /** Records one round of the workload. */
  record(round: number): void;
}

/** `count` tabs posting to `relayUrl` through `fetch` (a relay handler, or a real server's fetch). */
export function openTabs(
  count: number,
  relayUrl: string,
  fetch: typeof globalThis.fetch,
  seed = 7,
  /** Per-request timeout of each tab's flush, ms (the page SDK's default otherwise). */
  timeout?: number,
): { tabs: Tab[]; recorded: TabsRecord } {
  const recorded: TabsRecord = { clicks: 0, marks: 0, durations: [], gaugeReadings: [] };
  const tabs: Tab[] = [];
  for (let t = 0; t < count; t++) {
    const random = mulberry32(seed * 100_003 + t);
    const handle = init({
      relayUrl,
      interval: 3_600_000,
      flushOnHide: false,
      onError: null,
      tags: { app: "tabs" },
      clientOptions: { fetch, ...(timeout !== undefined && { timeout }) },
    });
    const { registry } = handle;
    const clicks = registry.counter("tabs.clicks", { button: "buy" });
    const views = registry.meter("tabs.views");
    const latency = registry.timer("tabs.latency");
    const size = registry.gauge("tabs.cart_size");
    tabs.push({
      handle,
      record() {
        const n = 1 + Math.floor(random() * 5);
        clicks.inc(n);
        recorded.clicks += n;
        views.mark(2);
        recorded.marks += 2;
        for (let i = 0; i < 3; i++) {
          // Log-normal-ish latencies, 5 ms … a few seconds.
          const ms = Math.round(Math.exp(3 + 2.5 * random()) * 100) / 100;
          latency.update(ms);
          recorded.durations.push(ms);
        }
        const items = Math.floor(random() * 10);
        size.set(items);
        recorded.gaugeReadings.push(items);
      },
    });
  }
  return { tabs, recorded };
}
