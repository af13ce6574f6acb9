import type { Tags } from "../core/types";
import type { MetricKind } from "./kind";
import { canonicalKey, isPlainKey } from "./normalize";

/** A level of the series trie: tag value → next level, or the metric at the last level. */
export type Trie = Map<string, unknown>;

/** A series of the `general` map keeps its own tags. */
export interface GeneralSeries<M> {
  tags: Tags;
  metric: M;
}

/**
 * Every series of one metric name.
 *
 * Most names are always used with the same tag keys, so the first tag set fixes a
 * `schema` (its sorted keys) and the series with those keys live in a trie of Maps keyed
 * by tag values, one level per key in `order`. A lookup reads the caller's tags in that
 * order, so it is independent of their key order, and does one `Map.get` per tag with
 * the caller's own strings: no sorting, no key string to build and hash.
 *
 * The trie puts low-cardinality keys first: when inner maps come close to one per series
 * (a high-cardinality key on top), it is rebuilt with keys ordered by their number of
 * distinct values, so memory stays around one map entry per series.
 *
 * Other tag sets (other keys, or keys that name `Object.prototype` members) are keyed by
 * canonical JSON in `general`.
 */
export class Family<M> {
  private untagged: M | undefined = undefined;
  private schema: string[] | undefined = undefined;
  private order: string[] | undefined = undefined;
  private root: Trie = new Map();
  private general: Map<string, GeneralSeries<M>> | undefined = undefined;
  private series = 0;
  private innerMaps = 0;
  private nextCheck = 32;

  constructor(
    readonly name: string,
    readonly kind: MetricKind,
  ) {}

  /**
   * The hot lookup by the caller's own tags, in any key order (values read as strings):
   * one `Map.get` per tag, nothing allocated. Undefined when the series is not found this
   * way (new, other keys, reordered schema): the caller's slow path decides.
   */
  lookup(tags: Tags | undefined): M | undefined {
    if (tags == null) return this.untagged;
    const order = this.order;
    if (order === undefined) return undefined;
    const n = order.length;
    let node: unknown = this.root;
    for (let i = 0; i < n; i++) {
      const value = tags[order[i]!];
      if (value == null) return undefined;
      node = (node as Trie).get(typeof value === "string" ? value : String(value));
      if (node === undefined) return undefined;
    }
    // Same values for the schema keys; also no other key.
    let count = 0;
    for (const _ in tags) count++;
    return count === n ? (node as M) : undefined;
  }

  /** The series of normalized `tags` (sorted `keys`), if it exists: the lookup's slow path. */
  find(tags: Tags, keys: string[]): M | undefined {
    if (keys.length === 0) return this.untagged;
    if (this.schema !== undefined && sameKeys(this.schema, keys)) return this.findInTrie(tags);
    return this.general?.get(canonicalKey(tags, keys))?.metric;
  }

  /**
   * Adds a new series (the caller checked `find` has none). The first tag set fixes the
   * schema, if its keys are safe to read by name.
   */
  add(tags: Tags, keys: string[], metric: M): void {
    if (keys.length === 0) {
      this.untagged = metric;
      return;
    }
    if (this.schema === undefined && keys.every(isPlainKey)) this.schema = this.order = keys;
    if (this.schema !== undefined && sameKeys(this.schema, keys)) this.insert(tags, metric);
    else (this.general ??= new Map()).set(canonicalKey(tags, keys), { tags, metric });
  }

  /** Calls `fn` for every series with its tags (a fresh object per series). */
  forEach(fn: (metric: M, tags: Tags) => void): void {
    if (this.untagged !== undefined) fn(this.untagged, {});
    const order = this.order;
    if (order !== undefined) {
      walk(this.root, order.length, [], (values, metric) => {
        const tags: Tags = {};
        for (let i = 0; i < order.length; i++) tags[order[i]!] = values[i]!;
        fn(metric as M, tags);
      });
    }
    if (this.general !== undefined) for (const s of this.general.values()) fn(s.metric, { ...s.tags });
  }

  /** The metric of a schema tag set (all keys present, values strings), if any. */
  private findInTrie(tags: Tags): M | undefined {
    let node: unknown = this.root;
    for (const key of this.order!) {
      node = (node as Trie).get(tags[key]!);
      if (node === undefined) return undefined;
    }
    return node as M;
  }

  /** Adds a schema series; the caller checked it is new. */
  private insert(tags: Tags, metric: M): void {
    this.put(
      this.order!.map((k) => tags[k]!),
      metric,
    );
    this.series++;
    if (this.series >= this.nextCheck) {
      this.nextCheck = this.series * 2;
      if (this.innerMaps * 2 > this.series) this.reorder();
    }
  }

  private put(values: string[], metric: M): void {
    let node = this.root;
    const last = values.length - 1;
    for (let i = 0; i < last; i++) {
      let next = node.get(values[i]!) as Trie | undefined;
      if (next === undefined) {
        node.set(values[i]!, (next = new Map()));
        this.innerMaps++;
      }
      node = next;
    }
    node.set(values[last]!, metric);
  }

  /** Rebuilds the trie with the keys of fewest distinct values on top. */
  private reorder(): void {
    const old = this.order!;
    const rows: [string[], unknown][] = [];
    walk(this.root, old.length, [], (values, metric) => rows.push([values.slice(), metric]));
    const distinct = old.map((_, i) => new Set(rows.map((r) => r[0][i])).size);
    const positions = old.map((_, i) => i).sort((a, b) => distinct[a]! - distinct[b]!);
    if (positions.every((p, i) => p === i)) return;
    this.order = positions.map((p) => old[p]!);
    this.root = new Map();
    this.innerMaps = 0;
    for (const [values, metric] of rows)
      this.put(
        positions.map((p) => values[p]!),
        metric as M,
      );
  }
}

function walk(node: Trie, depth: number, path: string[], fn: (values: string[], metric: unknown) => void): void {
  for (const [value, next] of node) {
    path.push(value);
    if (path.length === depth) fn(path, next);
    else walk(next as Trie, depth, path, fn);
    path.pop();
  }
}

function sameKeys(a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((k, i) => k === b[i]);
}
