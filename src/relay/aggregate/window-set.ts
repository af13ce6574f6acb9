import { SDK_TAG } from "../../core/sdk-tag";
import { wireToMs } from "../../core/wire-rules";
import type { CollectedPoint, DataPoint, Tags } from "../../core/types";
import type { DeltaRow } from "../compact-v2";
import { RelayError } from "../errors/relay-error";
import type { RelayCounters } from "../relay-stats";
import { seriesKey } from "./series-key";
import { SeriesState } from "./series-state";
import { WindowRates } from "./window-rates";

export interface WindowSetConfig {
  windowMs: number;
  /** How long after a window ends late beacons are still merged into it. */
  graceMs: number;
  /** Most distinct series in one window, all clients together. */
  seriesPerWindow: number;
  /** Most series one client may add to a window. */
  newSeriesPerClient: number;
  /** Tags on every point written (a replica's `writerTag`). */
  writerTags: Tags;
  /** Tags on the `apptuit.relay.*` meta points only (a shard's number: shards must not write the same meta series). */
  metaTags?: Tags;
  counters: RelayCounters;
  now: () => number;
}

export interface Window {
  start: number;
  series: Map<string, SeriesState>;
  /** New series each client added to this window. */
  perClient: Map<string, number>;
}

/** A series state `accept` created or changed: what durable storage must save before answering. */
export interface Touched {
  start: number;
  key: string;
  state: SeriesState;
}

/**
 * The open windows of one writer of its series (docs/aggregation.md): deltas merged into
 * windows aligned to wall-clock multiples of `windowMs`, budgets checked, and each window
 * turned once into one point per series and field at its start in integer seconds. A delta
 * whose window was already taken joins the current window, so every accepted delta is
 * written exactly once. Who holds it decides when windows are taken and where they go:
 * a process (the relay's `Aggregator`) or a Durable Object (apptuit/workers).
 */
export class WindowSet {
  readonly windows = new Map<number, Window>();
  /** End of the latest window taken: deltas before it are late. */
  writtenUntil = -Infinity;
  /** Moving rates of meters and timers, ticked once per window written. */
  readonly rates = new Map<string, { rates: WindowRates; last: number }>();
  /** Counters as of the latest meta points (their next values are the differences). */
  reported = { refused: {} as Record<string, number>, late: 0, dropped: 0 };

  constructor(readonly config: WindowSetConfig) {}

  /** Series held in open windows. */
  get series(): number {
    let n = 0;
    for (const w of this.windows.values()) n += w.series.size;
    return n;
  }

  /**
   * Merges one request's rows (names and tags final) for `client`. All or nothing: a
   * request past a series budget is refused whole (429, counted by the caller) and changes nothing.
   */
  accept(rows: readonly DeltaRow[], client: string): Touched[] {
    const { windowMs } = this.config;
    const now = this.config.now();
    const current = Math.floor(now / windowMs) * windowMs;
    const targets = new Array<{ slot: number; key: string }>(rows.length);
    const fresh = new Map<number, Set<string>>();
    let late = 0;
    rows.forEach((row, i) => {
      const ms = wireToMs(row.timestamp);
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
        throw new RelayError(429, `more than ${this.config.seriesPerWindow} series in this window`, {
          reason: "series_budget",
          headers: { "Retry-After": retryAfter },
        });
      }
      if ((open?.perClient.get(client) ?? 0) + keys.size > this.config.newSeriesPerClient) {
        throw new RelayError(429, `more than ${this.config.newSeriesPerClient} new series from one client in this window`, {
          reason: "client_series_budget",
          headers: { "Retry-After": retryAfter },
        });
      }
    }
    this.config.counters.late += late;
    const touched = new Map<string, Touched>();
    rows.forEach((row, i) => {
      const { slot: start, key } = targets[i]!;
      const slot = this.window(start);
      let state = slot.series.get(key);
      if (state === undefined) {
        slot.series.set(key, (state = new SeriesState(row.kind, row.metric, row.tags)));
        slot.perClient.set(client, (slot.perClient.get(client) ?? 0) + 1);
      }
      state.merge(row);
      touched.set(`${start}\u0000${key}`, { start, key, state });
    });
    return [...touched.values()];
  }

  /** Puts back a series state saved by `accept`'s caller (durable storage, after a restart). */
  restore(start: number, key: string, state: SeriesState): void {
    this.window(start).series.set(key, state);
  }

  /** When the earliest open window is due (its end plus the grace), or undefined when none is open. */
  nextDue(): number | undefined {
    if (this.windows.size === 0) return undefined;
    return Math.min(...this.windows.keys()) + this.config.windowMs + this.config.graceMs;
  }

  /** Removes, oldest first, the windows whose grace ended by `now` (all of them for `Infinity`). */
  takeDue(now: number): Window[] {
    const due = [...this.windows.values()]
      .filter((w) => now === Infinity || w.start + this.config.windowMs + this.config.graceMs <= now)
      .sort((a, b) => a.start - b.start);
    for (const w of due) {
      this.windows.delete(w.start);
      this.writtenUntil = Math.max(this.writtenUntil, w.start + this.config.windowMs);
    }
    return due;
  }

  /**
   * A taken window's points: each series' fields over all writers (ticking the moving
   * rates once), then the meta points. Call once per window, in window order.
   */
  pointsOf(slot: Window): DataPoint[] {
    const { windowMs, writerTags } = this.config;
    const seconds = windowMs / 1000;
    const timestamp = Math.floor(slot.start / 1000);
    const points: DataPoint[] = [];
    const add = (p: CollectedPoint) => points.push({ metric: p.metric, tags: mergeTags(p.tags, writerTags), timestamp, value: p.value });
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
    return points;
  }

  private window(start: number): Window {
    let slot = this.windows.get(start);
    if (slot === undefined) this.windows.set(start, (slot = { start, series: new Map(), perClient: new Map() }));
    return slot;
  }

  /** `apptuit.relay.*` of this window: what it wrote, and refusals, late deltas and drops since the previous one. */
  private meta(series: number, points: number): CollectedPoint[] {
    const tags = { ...SDK_TAG, ...this.config.metaTags };
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

function mergeTags(tags: Tags, writer: Tags): Tags {
  for (const _ in writer) return { ...tags, ...writer };
  return tags;
}
