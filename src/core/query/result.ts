import type { Tags } from "../types";
import { type Table, toTable } from "./table";

/** A series in a query result. `timestamps` are Unix epoch seconds, `values[i]` goes with `timestamps[i]`. */
export interface TimeSeries {
  metric: string;
  tags: Tags;
  timestamps: number[];
  values: number[];
}

/** One named output of a query (`output(cpu, load)`), or `"promql"` for a PromQL query. */
export interface QueryOutput {
  id: string;
  series: TimeSeries[];
  /** Outer-joined columnar table of the series (see `Table`). */
  toTable(): Table;
}

export function createOutput(id: string, series: TimeSeries[]): QueryOutput {
  return { id, series, toTable: () => toTable(series) };
}

/** The outputs of an Apptuit query, in response order, addressable by id (`get`) and position (`at`). */
export class QueryResult implements Iterable<QueryOutput> {
  readonly outputs: QueryOutput[];
  readonly #byId = new Map<string, QueryOutput>();

  constructor(outputs: QueryOutput[]) {
    this.outputs = outputs;
    for (const o of outputs) if (!this.#byId.has(o.id)) this.#byId.set(o.id, o);
  }

  get length(): number {
    return this.outputs.length;
  }

  /** The output named `id` (the first one, should a server repeat an id). */
  get(id: string): QueryOutput | undefined {
    return this.#byId.get(id);
  }

  /** The output at position `index`; negative counts from the end, like `Array.prototype.at`. */
  at(index: number): QueryOutput | undefined {
    return this.outputs.at(index);
  }

  [Symbol.iterator](): Iterator<QueryOutput> {
    return this.outputs[Symbol.iterator]();
  }
}
