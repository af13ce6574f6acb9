import type { DataPoint } from "../core/types";
import type { WirePoint } from "../core/wire";
import { checkMetricAndValue, tagEntries, toMilliseconds } from "./compact-format";
import { checkDistribution, kindCode } from "./delta-kinds";
import { utf8Length } from "./utf8-length";

/** One run `[dt, series, v0, v1, …]` being built; `dt` is written at `finish()` (t0 may still move). */
interface Run {
  ms: number;
  series: number;
  /** The series a point must have to extend this run. */
  next: number;
  values: string[];
}

/** What adding one point would change; computed without touching the writer. */
interface Plan {
  key: string;
  series: number;
  newStrings: string[];
  newTexts: string[];
  /** Bytes the new strings add to the table, commas included. */
  newBytes: number;
  /** The new series' row; "" for a known series. */
  row: string;
  ms: number;
  value: string;
  run: Run | undefined;
  allSeconds: boolean;
  minMs: number;
  dtBytes: number;
  total: number;
}

/** `{"v":1,` `"t0":` `,"k":[` `]` `,"s":[` `]` `,"p":[` `]` `}` */
const FRAME_BYTES = 34;
/** `"u":"ms",` */
const UNIT_BYTES = 9;

const digits = (n: number): number => String(n).length;

const NONE: string[] = [];

/** A v2 point's value: the number, or a distribution's `[count, sum, sumsq, min, max, zero, pos, neg]`. */
function deltaText(point: WirePoint | DataPoint): string {
  const d = point.delta;
  if (d === undefined || !("sum" in d)) return String(point.value);
  checkDistribution(d, point.value);
  return JSON.stringify([point.value, d.sum, d.sumsq, d.min, d.max, d.zero, d.pos, d.neg]);
}

/**
 * Builds one compact payload point by point, knowing its exact UTF-8 size at every step,
 * so that cutting N points into bodies of at most `maxBytes` is one pass: `tryAdd` each
 * point until one does not fit, `finish()`, start the next body. `encodeCompact` gives the
 * same format (decodeCompact reads both) with the string table ordered by use; here strings
 * and series are numbered as first seen, and a run grows while points of one timestamp come
 * in series order — as a registry's collection does.
 *
 * Every point is checked as `encodeCompact` checks it (`CompactFormatError` with its index).
 */
export class CompactWriter {
  private readonly strings = new Map<string, number>();
  private readonly stringTexts: string[] = [];
  private stringBytes = 0;
  private readonly seriesIndex = new Map<string, number>();
  private readonly rows: string[] = [];
  private rowBytes = 0;
  private readonly runs: Run[] = [];
  private readonly lastRunAt = new Map<number, Run>();
  private runBytes = 0;
  private dtBytes = 0;
  private minMs = Infinity;
  private allSeconds = true;
  private total = FRAME_BYTES + 1; // t0 = 0
  private points = 0;
  // One-entry memo: a series' fields come one after another with the same tags object
  // (as core's prepare hands them out), so its sorted entries and key are built once.
  private lastTags: object | undefined;
  private lastEntries: [string, string][] = [];
  private lastTagKey = "";
  /** The one plan in use: `plan()` fills it, `commit()` consumes it at once (no garbage per point). */
  private readonly scratch = {} as Plan;

  /**
   * `firstIndex`: index of the first point in the caller's list, for error messages.
   * `version` 2 writes each series' kind and each point's delta (docs/compact-format.md).
   */
  constructor(
    private readonly firstIndex = 0,
    private readonly version: 1 | 2 = 1,
  ) {}

  /** Points added. */
  get count(): number {
    return this.points;
  }

  /** Exact UTF-8 bytes of `finish()` now. */
  get bytes(): number {
    return this.total;
  }

  /** Adds `point` if the payload stays within `maxBytes`; false (and nothing changed) otherwise. */
  tryAdd(point: WirePoint | DataPoint, maxBytes = Infinity): boolean {
    const plan = this.plan(point);
    if (plan.total > maxBytes) return false;
    this.commit(plan);
    return true;
  }

  add(point: WirePoint | DataPoint): this {
    this.commit(this.plan(point));
    return this;
  }

  /** The payload text (valid for `decodeCompact`); the writer can keep growing after. */
  finish(): string {
    const unit = this.allSeconds ? 1000 : 1;
    const t0 = this.points === 0 ? 0 : this.minMs / unit;
    const runs = this.runs.map((r) => `[${r.ms / unit - t0},${r.series},${r.values.join(",")}]`);
    const u = this.allSeconds ? "" : '"u":"ms",';
    return `{"v":${this.version},${u}"t0":${t0},"k":[${this.stringTexts.join(",")}],"s":[${this.rows.join(",")}],"p":[${runs.join(",")}]}`;
  }

  private plan(point: WirePoint | DataPoint): Plan {
    const i = this.firstIndex + this.points;
    const { metric, tags, timestamp, value } = point;
    checkMetricAndValue(metric, value, i);
    if (tags === undefined || tags !== this.lastTags) {
      const entries = tagEntries(tags, i);
      let tagKey = "";
      for (const [k, v] of entries) tagKey += `${k.length}:${k}${v.length}:${v}`;
      this.lastTags = tags;
      this.lastEntries = entries;
      this.lastTagKey = tagKey;
    }
    const entries = this.lastEntries;
    const ms = toMilliseconds(timestamp, i);
    const kind = this.version === 2 ? kindCode(point) : -1;
    const key = `${kind}:${metric.length}:${metric}${this.lastTagKey}`;

    let extra = 0;
    let newBytes = 0;
    let series = this.seriesIndex.get(key);
    let newStrings = NONE;
    let newTexts = NONE;
    let row = "";
    if (series === undefined) {
      series = this.rows.length;
      newStrings = [];
      newTexts = [];
      const index = (s: string): number => {
        const known = this.strings.get(s);
        if (known !== undefined) return known;
        const pending = newStrings.indexOf(s);
        if (pending >= 0) return this.stringTexts.length + pending;
        const text = JSON.stringify(s);
        newBytes += utf8Length(text) + (this.stringTexts.length + newStrings.length > 0 ? 1 : 0);
        newStrings.push(s);
        newTexts.push(text);
        return this.stringTexts.length + newStrings.length - 1;
      };
      row = kind < 0 ? `[${index(metric)}` : `[${kind},${index(metric)}`;
      for (const [k, v] of entries) row += `,${index(k)},${index(v)}`;
      row += "]";
      extra += newBytes + row.length + (series > 0 ? 1 : 0);
    }

    const text = this.version === 2 ? deltaText(point) : String(value); // JSON's number text (-0 → "0")
    const run = this.lastRunAt.get(ms);
    const extend = run !== undefined && run.next === series;
    const allSeconds = this.allSeconds && ms % 1000 === 0;
    const minMs = Math.min(this.minMs, ms);
    const unit = allSeconds ? 1000 : 1;
    const t0 = minMs / unit;
    let dtBytes = this.dtBytes;
    if (allSeconds !== this.allSeconds || minMs !== this.minMs) {
      // t0 or the unit moved: every run's dt is written anew (runs are few: one per timestamp).
      dtBytes = 0;
      for (const r of this.runs) dtBytes += digits(r.ms / unit - t0);
    }
    if (extend) extra += 1 + text.length;
    else {
      extra += (this.runs.length > 0 ? 1 : 0) + 3 + digits(series) + 1 + text.length;
      dtBytes += digits(ms / unit - t0);
    }
    const frame = FRAME_BYTES + (allSeconds ? 0 : UNIT_BYTES) + digits(t0);
    const total = frame + this.stringBytes + this.rowBytes + this.runBytes + dtBytes + extra;
    const plan = this.scratch;
    plan.key = key;
    plan.series = series;
    plan.newStrings = newStrings;
    plan.newTexts = newTexts;
    plan.newBytes = newBytes;
    plan.row = row;
    plan.ms = ms;
    plan.value = text;
    plan.run = extend ? run : undefined;
    plan.allSeconds = allSeconds;
    plan.minMs = minMs;
    plan.dtBytes = dtBytes;
    plan.total = total;
    return plan;
  }

  private commit(plan: Plan): void {
    for (let j = 0; j < plan.newStrings.length; j++) {
      this.strings.set(plan.newStrings[j]!, this.stringTexts.length);
      this.stringTexts.push(plan.newTexts[j]!);
    }
    this.stringBytes += plan.newBytes;
    if (plan.row !== "") {
      this.seriesIndex.set(plan.key, plan.series);
      this.rowBytes += plan.row.length + (this.rows.length > 0 ? 1 : 0);
      this.rows.push(plan.row);
    }
    if (plan.run !== undefined) {
      plan.run.values.push(plan.value);
      plan.run.next++;
      this.runBytes += 1 + plan.value.length;
    } else {
      const bytes = 3 + digits(plan.series) + 1 + plan.value.length;
      const run: Run = { ms: plan.ms, series: plan.series, next: plan.series + 1, values: [plan.value] };
      this.runBytes += bytes + (this.runs.length > 0 ? 1 : 0);
      this.runs.push(run);
      this.lastRunAt.set(plan.ms, run);
    }
    this.allSeconds = plan.allSeconds;
    this.minMs = plan.minMs;
    this.dtBytes = plan.dtBytes;
    this.total = plan.total;
    this.points++;
  }
}
