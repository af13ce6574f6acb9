import type { Tags } from "../../core/types";
import type { WirePoint } from "../../core/wire";
import { kindCode } from "../../relay/delta-kinds";
import { utf8Length } from "../../relay/utf8-length";
import type { BodyWriter } from "../../core/body-cutter";

/** `{"v":2,"u":"ms","t0":0,"k":[],"s":[],"p":[]}` */
const FRAME_BYTES = 44;

/** A tags object's part of a series key; prepared points share one tags object per series, flush after flush. */
const tagKeys = new WeakMap<Tags, string>();
function tagKey(tags: Tags): string {
  let key = tagKeys.get(tags);
  if (key === undefined) {
    key = "";
    for (const k in tags) key += `\u0000${k}\u0000${tags[k]}`;
    tagKeys.set(tags, key);
  }
  return key;
}

/**
 * A relay-mode page's compact format v2 body (docs/compact-format.md), written straight
 * from prepared points with nothing checked again: the relay validates every body. Its
 * exact UTF-8 size is known after each point, so cutting bodies to a byte budget is one
 * pass.
 *
 * Simpler than `CompactWriter` (the general encoder) for the page's sake: times are always
 * milliseconds with `t0` 0 (a run's `dt` is its absolute time — runs are few, one per
 * flush), taken as prepared points carry them (`pagePoints` gives milliseconds, whatever
 * the point's time was), so no point ever rewrites another's bytes; strings and series are numbered as
 * first seen; a run grows while points of one time come in series order, as a registry's
 * collection does.
 */
export function pageBody(): BodyWriter {
  const strings = new Map<string, number>();
  const texts: string[] = [];
  const seriesIndex = new Map<string, number>();
  const rows: string[] = [];
  const runs: string[][] = [];
  /** Per time: its open run, and the series that extends it. */
  const open = new Map<number, { values: string[]; next: number }>();
  let total = FRAME_BYTES;
  let count = 0;

  return {
    get count() {
      return count;
    },
    get bytes() {
      return total;
    },
    tryAdd(point: WirePoint, maxBytes: number): boolean {
      const { metric, tags, timestamp: ms, value, delta } = point;
      const kind = kindCode(point);
      const key = `${kind}\u0000${metric}${tagKey(tags)}`;
      let series = seriesIndex.get(key);
      let added: string[] | undefined;
      let extra = 0;
      let row = "";
      if (series === undefined) {
        series = rows.length;
        added = [];
        row = `[${kind},${indexOf(metric)}`;
        for (const k in tags) row += `,${indexOf(k)},${indexOf(tags[k]!)}`;
        row += "]";
        extra += row.length + (series > 0 ? 1 : 0);
      }
      const text =
        delta !== undefined && "sum" in delta
          ? JSON.stringify([value, delta.sum, delta.sumsq, delta.min, delta.max, delta.zero, delta.pos, delta.neg])
          : String(value);
      const run = open.get(ms);
      const extend = run !== undefined && run.next === series;
      extra += extend ? 1 + text.length : (runs.length > 0 ? 1 : 0) + `[${ms},${series},`.length + text.length + 1;
      if (total + extra > maxBytes) {
        if (added !== undefined) rollback(added);
        return false;
      }
      total += extra;
      if (added !== undefined) {
        seriesIndex.set(key, series);
        rows.push(row);
      }
      if (extend) {
        run.values.push(text);
        run.next++;
      } else {
        const values = [String(ms), String(series), text];
        runs.push(values);
        open.set(ms, { values, next: series + 1 });
      }
      count++;
      return true;

      /** The string's index, adding it to the table (and its bytes to `extra`) when new. */
      function indexOf(s: string): number {
        const known = strings.get(s);
        if (known !== undefined) return known;
        const quoted = JSON.stringify(s);
        extra += utf8Length(quoted) + (texts.length > 0 ? 1 : 0);
        strings.set(s, texts.length);
        texts.push(quoted);
        added!.push(s);
        return texts.length - 1;
      }
    },
    finish: () =>
      `{"v":2,"u":"ms","t0":0,"k":[${texts.join(",")}],"s":[${rows.join(",")}],"p":[${runs.map((r) => `[${r.join(",")}]`).join(",")}]}`,
  };

  /** Takes back the strings a point that did not fit had added. */
  function rollback(added: string[]): void {
    for (const s of added) strings.delete(s);
    texts.length -= added.length;
  }
}
