import type { DataPoint } from "../../core/types";
import type { DeltaRow } from "../compact-v2";
import { WindowSet, type Window, type WindowSetConfig } from "./window-set";

export interface AggregatorConfig extends WindowSetConfig {
  /** Most points of failed writes kept for the next write; past it the oldest are dropped and counted. */
  maxBufferedPoints: number;
  /** One upstream write of a window's points; rejects when they were not stored. */
  write(points: DataPoint[]): Promise<void>;
  onError(error: unknown, points: number): void;
}

/**
 * The in-process aggregator: one writer per series (docs/aggregation.md). Its windows
 * (`WindowSet`) are written on a timer, `graceMs` after each ends; a failed write waits in
 * a bounded buffer and goes with the next window's.
 */
export class Aggregator {
  private readonly set: WindowSet;
  private buffer: DataPoint[] = [];
  private timer: ReturnType<typeof setTimeout> | undefined;
  private chain: Promise<void> = Promise.resolve();
  private windowsWritten = 0;
  private pointsWritten = 0;

  constructor(private readonly config: AggregatorConfig) {
    this.set = new WindowSet(config);
  }

  /** Series held in open windows. */
  get series(): number {
    return this.set.series;
  }

  get written(): { windows: number; points: number; buffered: number } {
    return { windows: this.windowsWritten, points: this.pointsWritten, buffered: this.buffer.length };
  }

  /** Merges one request's rows (names and tags final) for `client`; all or nothing (see `WindowSet.accept`). */
  accept(rows: readonly DeltaRow[], client: string): void {
    this.set.accept(rows, client);
    this.schedule();
  }

  /** Writes every open window now (shutdown, tests); resolves when the writes are done. */
  flush(): Promise<void> {
    return this.writeDue(Infinity);
  }

  private schedule(): void {
    const due = this.set.nextDue();
    if (this.timer !== undefined || due === undefined) return;
    this.timer = setTimeout(
      () => {
        this.timer = undefined;
        void this.writeDue(this.config.now()).finally(() => this.schedule());
      },
      Math.max(0, due - this.config.now()),
    );
    // A relay's pending window must not keep a process alive on its own (where timers can say so).
    (this.timer as { unref?: () => void }).unref?.();
  }

  /** Writes, one after another, the windows whose grace ended before `now`. */
  private writeDue(now: number): Promise<void> {
    for (const w of this.set.takeDue(now)) this.chain = this.chain.then(() => this.writeWindow(w));
    return this.chain;
  }

  private async writeWindow(slot: Window): Promise<void> {
    const points = this.set.pointsOf(slot);
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
}
