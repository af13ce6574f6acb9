import type { GetContext } from "../get-json";
import { getJson } from "../get-json";
import { QueryResponseSchema } from "./schema";
import { createOutput, QueryResult, type TimeSeries } from "./result";

export interface QueryOptions {
  /** Unix epoch seconds or a Date. */
  start: number | Date;
  /** Unix epoch seconds or a Date; default: now (server side). */
  end?: number | Date;
  signal?: AbortSignal;
}

/**
 * `GET {queryEndpoint}/api/query?start=&end=&q=` (docs/wire-format.md). Points outside [start, end] are
 * dropped, as are null values; outputs with an empty `result` are skipped.
 */
export async function runQuery(
  ctx: GetContext,
  queryEndpoint: string,
  q: string,
  start: number,
  end: number | undefined,
): Promise<QueryResult> {
  const params: Record<string, string> = { start: String(start) };
  if (end !== undefined) params.end = String(end);
  params.q = q;
  const { body } = await getJson(ctx, `${queryEndpoint}/api/query`, params, QueryResponseSchema);
  const upper = end ?? Number.POSITIVE_INFINITY;
  const outputs = [];
  for (const output of body.outputs) {
    if (output.result.length === 0) continue;
    const series: TimeSeries[] = output.result.map((r) => {
      const timestamps: number[] = [];
      const values: number[] = [];
      for (const [t, value] of r.dps) {
        if (value === null || t < start || t > upper) continue;
        timestamps.push(t);
        values.push(value);
      }
      return { metric: r.metric, tags: r.tags, timestamps, values };
    });
    outputs.push(createOutput(output.id, series));
  }
  return new QueryResult(outputs);
}
