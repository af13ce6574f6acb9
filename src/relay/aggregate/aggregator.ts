import { SDK_TAG } from "../../core/sdk-tag";
import type { CollectedPoint, DataPoint, Tags } from "../../core/types";
import type { DeltaRow } from "../compact-v2";
import { RelayError } from "../errors/relay-error";
import type { RelayCounters } from "../relay-stats";
import { SeriesState } from "./series-state";
import { WindowRates } from "./window-rates";

export interface AggregatorConfig {
  windowMs: number;
  /** How long after a window ends late beacons are still merged into it. */
  graceMs: number;
  /** Most distinct series in one window, all clients together. */
  seriesPerWindow: number;
  /** Most series one client may add to a window. */
  newSeriesPerClient: number;
  /** Most points of failed writes kept for the next write; past it the oldest are dropped and counted. */
  maxBufferedPoints: number;
  /** Tags on every point written (a replica's `writerTag`). */
  writerTags: Tags;
  counters: RelayCounters;
  now: () => number;
  /** One upstream write of a window's points; rejects when they were not stored. */
  write(points: DataPoint[]): Promise<void>;
  onError(error: unknown, points: number): void;
}

interface Window {
  start: number;
  series: Map<string, SeriesState>;
  /** New series each client added to this window. */
  perClient: Map<string, number>;
}

/**
 * The in-process aggregator: one writer per series (docs/aggregation.md). Deltas are merged
 * into windows aligned to wall-clock multiples of `windowMs`; each window is written once,
 * `graceMs` after it ends, with one point per series and field at the window's start in
 * integer seconds. A delta whose window was already written joins the current window, so
 * every acknowledged delta is written exactly once.
 */
export class Aggregator {
  private readonly windows = new Map<number, Window>();
  /** End of the latest window written: deltas before it are late. */
  private writtenUntil = -Infinity;
  private readonly rates = new Map<string, { rates: WindowRates; last: number }>();
  private buffer: DataPoint[] = [];
  private timer: ReturnType<typeof setTimeout> | undefined;
  private chain: Promise<void> = Promise.resolve();
  private windowsWritten = 0;
  private pointsWritten = 0;
  private reported = { refused: {} as Record<string, number>, late: 0, dropped: 0 };

  constructor(private readonly config: AggregatorConfig) {}

  /** Series held in open windows. */
  get series(): number {
    let n = 0;
    for (const w of this.windows.values()) n += w.series.size;
    return n;
  }

  get written(): { windows: number; points: number; buffered: number } {
    return { windows: this.windowsWritten, points: this.pointsWritten, buffered: this.buffer.length };
  }

  /**
   * Merges one request's rows (names and tags final) for `client`. All or nothing: a
   * request past a series budget is refused whole (429, counted) and changes nothing.
   */
  accept(rows: readonly DeltaRow[], client: string): void {
    const { windowMs } = this.config;
    const now = this.config.now();
    const current = Math.floor(now / windowMs) * windowMs;
    const targets = new Array<{ slot: number; key: string }>(rows.length);
    const fresh = new Map<number, Set<string>>();
    let late = 0;
    rows.forEach((row, i) => {
      const ms = row.timestamp >= 2 ** 32 ? row.timestamp : row.timestamp * 1000;
      let slot = Math.floor(ms / windowMs) * windowMs;
      // Written already, or ahead of the relay's clock: the current window takes it.
      if (slot + windowMs <= this.writtenUntil) late++;
      if (slot + windowMs <= this.writtenUntil || slot > current) slot = current;
      const key = seriesKey(row);
      targets[i] = { slot, key };
      if (this.windows.get(slot)?.series.has(key)) return;
      let set = fresh.get(slot);
      if (set === undefined) fresh.set(slot, (set = new Set()));
      set.add(key);
    });
    for (const [slot, keys] of fresh) {
      const open = this.windows.get(slot);
      const retryAfter = String(Math.max(1, Math.ceil((slot + windowMs + this.config.graceMs - now) / 1000)));
      if ((open?.series.size ?? 0) + keys.size > this.config.seriesPerWindow) {
        throw new RelayError(429, `more than ${this.config.seriesPerWindow} series in this window`, { reason: "series_budget", headers: { "Retry-After": retryAfter } });
      }
      if ((open?.perClient.get(client) ?? 0) + keys.size > this.config.newSeriesPerClient) {
        throw new RelayError(429, `more than ${this.config.newSeriesPerClient} new series from one client in this window`, {
          reason: "client_series_budget",
          headers: { "Retry-After": retryAfter },
        });
      }
    }
    this.config.counters.late += late;
    rows.forEach((row, i) => {
      const { slot: start, key } = targets[i]!;
      let slot = this.windows.get(start);
      if (slot === undefined) this.windows.set(start, (slot = { start, series: new Map(), perClient: new Map() }));
      let state = slot.series.get(key);
      if (state === undefined) {
        slot.series.set(key, (state = new SeriesState(row.kind, row.metric, row.tags)));
        slot.perClient.set(client, (slot.perClient.get(client) ?? 0) + 1);
      }
      state.merge(row);
    });
    this.schedule();
  }

  /** Writes every open window now (shutdown, tests); resolves when the writes are done. */
  flush(): Promise<void> {
    return this.writeDue(Infinity);
  }

  private schedule(): void {
    if (this.timer !== undefined || this.windows.size === 0) return;
    const first = Math.min(...this.windows.keys());
    const delay = Math.max(0, first + this.config.windowMs + this.config.graceMs - this.config.now());
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.writeDue(this.config.now()).finally(() => this.schedule());
    }, delay);
    // A relay's pending window must not keep a process alive on its own (where timers can say so).
    (this.timer as { unref?: () => void }).unref?.();
  }

  /** Writes, one after another, the windows whose grace ended before `now`. */
  private writeDue(now: number): Promise<void> {
    const due = [...this.windows.values()]
      .filter((w) => now === Infinity || w.start + this.config.windowMs + this.config.graceMs <= now)
      .sort((a, b) => a.start - b.start);
    for (const w of due) {
      this.windows.delete(w.start);
      this.writtenUntil = Math.max(this.writtenUntil, w.start + this.config.windowMs);
      this.chain = this.chain.then(() => this.writeWindow(w));
    }
    return this.chain;
  }

  private async writeWindow(slot: Window): Promise<void> {
    const { windowMs, writerTags } = this.config;
    const seconds = windowMs / 1000;
    const timestamp = Math.floor(slot.start / 1000);
    const points: DataPoint[] = [];
    const add = (p: CollectedPoint) => points.push({ metric: p.metric, tags: mergeWriter(p.tags, writerTags), timestamp, value: p.value });
    for (const [key, state] of slot.series) {
      let rates: WindowRates | undefined;
      if (state.kind === "meter" || state.kind === "timer") {
        let entry = this.rates.get(key);
        if (entry === undefined) this.rates.set(key, (entry = { rates: new WindowRates(seconds), last: slot.start }));
        entry.rates.tick(state.kind === "meter" ? state.total : state.sketch!.count);
        entry.last = slot.start;
        rates = entry.rates;
      }
      for (const p of state.fields(seconds, rates)) add(p);
    }
    // Moving rates live while their series is written window after window.
    for (const [key, entry] of this.rates) if (entry.last < slot.start - windowMs) this.rates.delete(key);
    for (const p of this.meta(slot.series.size, points.length)) add(p);
    this.windowsWritten++;

    const batch = this.buffer.length === 0 ? points : this.buffer.concat(points);
    this.buffer = [];
    try {
      await this.config.write(batch);
      this.pointsWritten += batch.length;
    } catch (error) {
      this.config.onError(error, batch.length);
      const over = batch.length - this.config.maxBufferedPoints;
      if (over > 0) this.config.counters.dropped += over;
      this.buffer = over > 0 ? batch.slice(over) : batch;
    }
  }

  /** `apptuit.relay.*` of this window: what it wrote, and refusals, late deltas and drops since the previous one. */
  private meta(series: number, points: number): CollectedPoint[] {
    const tags = { ...SDK_TAG };
    const c = this.config.counters;
    const out: CollectedPoint[] = [
      { metric: "apptuit.relay.series.count", tags, value: series },
      { metric: "apptuit.relay.points.count", tags, value: points },
      { metric: "apptuit.relay.late.count", tags, value: c.late - this.reported.late },
      { metric: "apptuit.relay.dropped.count", tags, value: c.dropped - this.reported.dropped },
    ];
    for (const [reason, n] of Object.entries(c.refused)) {
      const delta = n - (this.reported.refused[reason] ?? 0);
      if (delta > 0) out.push({ metric: "apptuit.relay.refused.count", tags: { ...tags, reason }, value: delta });
    }
    this.reported = { refused: { ...c.refused }, late: c.late, dropped: c.dropped };
    return out;
  }
}

function mergeWriter(tags: Tags, writer: Tags): Tags {
  for (const _ in writer) return { ...tags, ...writer };
  return tags;
}

/** Kind, name and sorted tags: one series of one kind. */
function seriesKey(row: DeltaRow): string {
  const keys = Object.keys(row.tags).sort();
  let key = `${row.kind}\u0000${row.metric}`;
  for (const k of keys) key += `\u0000${k}\u0000${row.tags[k]}`;
  return key;
}
