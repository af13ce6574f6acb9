import type { Tags } from "../types";
import type { GetContext } from "../get-json";
import { getJson } from "../get-json";
import { createOutput, type QueryOutput, type TimeSeries } from "../query/result";
import { ApptuitResponseError } from "../errors/response-error";
import { redact } from "../redact";
import { type PromData, PromResponseSchema } from "./schema";

/** Output id of every PromQL result. */
export const PROMQL_OUTPUT_ID = "promql";

function split(labels: Tags): { metric: string; tags: Tags } {
  const { __name__: name, ...tags } = labels;
  return { metric: name ?? "", tags };
}

/** Matrix/vector/scalar → the series model of `query()`. Label `__name__` becomes the metric (empty if absent). */
export function promToSeries(data: PromData): TimeSeries[] {
  switch (data.resultType) {
    case "matrix":
      return data.result.map((r) => ({
        ...split(r.metric),
        timestamps: r.values.map((s) => s[0]),
        values: r.values.map((s) => s[1]),
      }));
    case "vector":
      return data.result.map((r) => ({ ...split(r.metric), timestamps: [r.value[0]], values: [r.value[1]] }));
    case "scalar":
      return [{ metric: "scalar", tags: {}, timestamps: [data.result[0]], values: [data.result[1]] }];
  }
}

/** GET a Prometheus API path and map the answer; `{"status":"error"}` with a 2xx → `ApptuitResponseError`. */
export async function runPromQuery(ctx: GetContext, url: string, params: Record<string, string>): Promise<QueryOutput> {
  const { status, body } = await getJson(ctx, url, params, PromResponseSchema);
  if (body.status === "error") {
    // The server's words become a message here: redacted (the body itself never is).
    const errorType = redact(String(body.errorType), ctx.token);
    const error = redact(String(body.error), ctx.token);
    throw new ApptuitResponseError(`GET ${url} reported an error: ${errorType}: ${error}`, {
      statusCode: status,
      issues: [{ path: "status", message: `status "error": ${errorType}: ${error}` }],
      errorType,
      error,
    });
  }
  return createOutput(PROMQL_OUTPUT_ID, promToSeries(body.data));
}
