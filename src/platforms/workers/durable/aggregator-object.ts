import { Apptuit } from "../../../core/client";
import { ApptuitSendError } from "../../../core/errors/send-error";
import { ApptuitValidationError } from "../../../core/errors/validation-error";
import type { DataPoint } from "../../../core/types";
import { SeriesState, type StoredSeries } from "../../../relay/aggregate/series-state";
import { WindowRates } from "../../../relay/aggregate/window-rates";
import { WindowSet } from "../../../relay/aggregate/window-set";
import type { DeltaRow } from "../../../relay/compact-v2";
import { RelayError } from "../../../relay/errors/relay-error";
import { RelayCounters } from "../../../relay/relay-stats";
import { stringEnv } from "../../shared/edge-options";
import type { AcceptAnswer, ShardConfig, ShardStats } from "./protocol";
import { AGGREGATOR_ORIGIN, type AcceptRequest } from "./protocol";
import type { DurableObjectStateLike } from "./runtime";

const SCHEMA = [
  "CREATE TABLE IF NOT EXISTS series (start INTEGER NOT NULL, key TEXT NOT NULL, state TEXT NOT NULL, PRIMARY KEY (start, key))",
  "CREATE TABLE IF NOT EXISTS outbox (start INTEGER PRIMARY KEY, points TEXT NOT NULL, n INTEGER NOT NULL)",
  "CREATE TABLE IF NOT EXISTS rates (key TEXT PRIMARY KEY, state TEXT NOT NULL, last INTEGER NOT NULL)",
  "CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL)",
];

interface Progress {
  writtenUntil: number | null;
  reported: WindowSet["reported"];
  refused: Record<string, number>;
  late: number;
  dropped: number;
  windows: number;
  points: number;
}

/**
 * One shard of the aggregation of a Worker's series (docs/durable-objects.md): the only
 * writer of the series that hash to it. Every batch is merged into its window and saved
 * in the object's SQLite storage before `accept` answers, so a 2xx survives eviction and
 * restarts. An alarm, `graceMs` after a window ends, turns the window into points and moves
 * them, in one transaction, into an outbox, which is then written in window order; a
 * window is computed once, so an alarm run twice writes the same points again
 * (idempotent: same series, timestamps and values). What the write API does not take
 * stays in the outbox for the next alarm, up to `maxBufferedPoints`; older points past
 * that are dropped and counted in `apptuit.relay.dropped.count`.
 */
export class ApptuitAggregatorObject {
  readonly #ctx: DurableObjectStateLike;
  readonly #env: Record<string, string>;
  readonly #counters = new RelayCounters();
  #config: ShardConfig | undefined;
  #set: WindowSet | undefined;
  #windows = 0;
  #points = 0;
  #client: Apptuit | undefined;

  constructor(ctx: DurableObjectStateLike, env: unknown) {
    this.#ctx = ctx;
    this.#env = stringEnv(env);
    for (const statement of SCHEMA) this.#sql(statement);
    const config = this.#meta<ShardConfig>("config");
    if (config !== undefined) this.#load(config);
  }

  /** The stub's protocol: `POST /accept` (an `AcceptRequest` → `AcceptAnswer`), `GET /stats` → `ShardStats`. */
  async fetch(request: Request): Promise<Response> {
    const path = new URL(request.url, AGGREGATOR_ORIGIN).pathname;
    if (path === "/accept" && request.method === "POST") {
      const { rows, client, config } = (await request.json()) as AcceptRequest;
      return Response.json(await this.accept(rows, client, config));
    }
    if (path === "/stats") return Response.json(this.stats());
    return new Response(null, { status: 404 });
  }

  /** Merges a batch of rows (names and tags final) from `client` and saves it before answering. */
  async accept(rows: DeltaRow[], client: string, config: ShardConfig): Promise<AcceptAnswer> {
    const set = this.#configure(config);
    let touched: ReturnType<typeof set.accept>;
    try {
      touched = set.accept(rows, client);
    } catch (error) {
      if (!(error instanceof RelayError)) throw error;
      this.#counters.refuse(error.reason);
      this.#saveProgress();
      return { status: error.status, reason: error.reason, message: error.message, retryAfter: error.headers["Retry-After"] };
    }
    this.#ctx.storage.transactionSync(() => {
      for (const t of touched)
        this.#sql("INSERT OR REPLACE INTO series (start, key, state) VALUES (?, ?, ?)", t.start, t.key, JSON.stringify(t.state.toStored()));
      this.#saveProgress();
    });
    await this.#schedule(false);
    return { status: 204 };
  }

  stats(): ShardStats {
    const backlog = Number(this.#sql("SELECT COALESCE(SUM(n), 0) AS n FROM outbox")[0]?.n ?? 0);
    const c = this.#counters;
    return {
      series: this.#set?.series ?? 0,
      windows: this.#windows,
      points: this.#points,
      backlog,
      dropped: c.dropped,
      refused: { ...c.refused },
      late: c.late,
    };
  }

  /** Takes the windows that are due into the outbox, then writes the outbox in order. */
  async alarm(): Promise<void> {
    const set = this.#set;
    if (set === undefined || this.#config === undefined) return;
    const due = set.takeDue(Date.now());
    this.#ctx.storage.transactionSync(() => {
      for (const w of due) {
        const points = set.pointsOf(w);
        this.#sql("INSERT OR REPLACE INTO outbox (start, points, n) VALUES (?, ?, ?)", w.start, JSON.stringify(points), points.length);
        this.#sql("DELETE FROM series WHERE start = ?", w.start);
        this.#windows++;
      }
      this.#sql("DELETE FROM rates");
      for (const [key, { rates, last }] of set.rates)
        this.#sql("INSERT INTO rates (key, state, last) VALUES (?, ?, ?)", key, JSON.stringify(rates.toStored()), last);
      this.#trimOutbox(this.#config!.maxBufferedPoints);
      this.#saveProgress();
    });
    const failed = await this.#writeOutbox();
    // The alarm running now is spent: always set the next one.
    await this.#schedule(failed, true);
  }

  /** Oldest windows first; stops at the first that cannot be written now (kept for the next alarm). Resolves true then. */
  async #writeOutbox(): Promise<boolean> {
    const rows = this.#sql("SELECT start, points FROM outbox ORDER BY start");
    for (const row of rows) {
      const points = JSON.parse(String(row.points)) as DataPoint[];
      try {
        await this.#apptuit().send(points);
        this.#points += points.length;
      } catch (error) {
        // Refused by the API: sending again cannot help. Counted, and the window is done.
        if (!(error instanceof ApptuitSendError || error instanceof ApptuitValidationError)) return true;
        this.#counters.dropped += error instanceof ApptuitSendError ? error.failed : points.length;
      }
      this.#ctx.storage.transactionSync(() => {
        this.#sql("DELETE FROM outbox WHERE start = ?", row.start);
        this.#saveProgress();
      });
    }
    return false;
  }

  /** Drops the oldest points past `max` (counted). */
  #trimOutbox(max: number): void {
    let total = Number(this.#sql("SELECT COALESCE(SUM(n), 0) AS n FROM outbox")[0]?.n ?? 0);
    for (const row of this.#sql("SELECT start, points, n FROM outbox ORDER BY start")) {
      if (total <= max) return;
      const n = Number(row.n);
      const over = total - max;
      if (over >= n) {
        this.#sql("DELETE FROM outbox WHERE start = ?", row.start);
      } else {
        const kept = (JSON.parse(String(row.points)) as DataPoint[]).slice(over);
        this.#sql("UPDATE outbox SET points = ?, n = ? WHERE start = ?", JSON.stringify(kept), kept.length, row.start);
      }
      const dropped = Math.min(over, n);
      this.#counters.dropped += dropped;
      total -= dropped;
    }
  }

  /** The next alarm: when the earliest open window is due, or one window from now to retry the outbox. */
  async #schedule(retry: boolean, force = false): Promise<void> {
    const config = this.#config!;
    const due = this.#set?.nextDue();
    const times = [due ?? Infinity, retry ? Date.now() + config.windowMs : Infinity];
    const next = Math.min(...times);
    if (next === Infinity) return;
    const current = force ? null : await this.#ctx.storage.getAlarm();
    if (current === null || current > next) await this.#ctx.storage.setAlarm(next);
  }

  /** The window settings of the first batch, kept (a later change of settings applies from then on). */
  #configure(config: ShardConfig): WindowSet {
    if (this.#set !== undefined && JSON.stringify(config) === JSON.stringify(this.#config)) return this.#set;
    this.#sql("INSERT OR REPLACE INTO meta (name, value) VALUES ('config', ?)", JSON.stringify(config));
    if (this.#set === undefined) {
      this.#load(config);
    } else {
      Object.assign(this.#set.config, config, { metaTags: { shard: String(config.shard) } });
      this.#config = config;
    }
    return this.#set!;
  }

  /** Open windows, rates and counters from storage (a new object, or one restarted). */
  #load(config: ShardConfig): void {
    this.#config = config;
    const set = new WindowSet({ ...config, metaTags: { shard: String(config.shard) }, counters: this.#counters, now: () => Date.now() });
    for (const row of this.#sql("SELECT start, key, state FROM series")) {
      set.restore(Number(row.start), String(row.key), SeriesState.fromStored(JSON.parse(String(row.state)) as StoredSeries));
    }
    const seconds = config.windowMs / 1000;
    for (const row of this.#sql("SELECT key, state, last FROM rates")) {
      set.rates.set(String(row.key), { rates: WindowRates.fromStored(seconds, JSON.parse(String(row.state))), last: Number(row.last) });
    }
    const progress = this.#meta<Progress>("progress");
    if (progress !== undefined) {
      set.writtenUntil = progress.writtenUntil ?? -Infinity;
      set.reported = progress.reported;
      Object.assign(this.#counters.refused, progress.refused);
      this.#counters.late = progress.late;
      this.#counters.dropped = progress.dropped;
      this.#windows = progress.windows;
      this.#points = progress.points;
    }
    this.#set = set;
  }

  #saveProgress(): void {
    const set = this.#set;
    const c = this.#counters;
    const progress: Progress = {
      writtenUntil: set === undefined || set.writtenUntil === -Infinity ? null : set.writtenUntil,
      reported: set?.reported ?? { refused: {}, late: 0, dropped: 0 },
      refused: c.refused,
      late: c.late,
      dropped: c.dropped,
      windows: this.#windows,
      points: this.#points,
    };
    this.#sql("INSERT OR REPLACE INTO meta (name, value) VALUES ('progress', ?)", JSON.stringify(progress));
  }

  #meta<T>(name: string): T | undefined {
    const row = this.#sql("SELECT value FROM meta WHERE name = ?", name)[0];
    return row === undefined ? undefined : (JSON.parse(String(row.value)) as T);
  }

  #sql(query: string, ...bindings: unknown[]): Record<string, unknown>[] {
    return this.#ctx.storage.sql.exec(query, ...bindings).toArray();
  }

  /** The write API client, from the object's own bindings; no retries of its own: the next alarm is the retry. */
  #apptuit(): Apptuit {
    return (this.#client ??= new Apptuit({ env: this.#env, timeout: 10_000, retry: 0 }));
  }
}
