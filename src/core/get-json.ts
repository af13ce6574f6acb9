import * as v from "valibot";
import { toApptuitError, type RequestContext } from "./http";
import type { HttpClient } from "./http-client";
import { quoteServerText, redact } from "./redact";
import { ApptuitResponseError } from "./errors/response-error";

export interface GetContext {
  http: HttpClient;
  token: string;
  timeout: number;
  signal: AbortSignal | undefined;
}

/** Valibot issues → `{path, message}` with dot paths like `outputs.0.result.1.dps.3.1`. */
export function describeIssues(issues: readonly v.BaseIssue<unknown>[]) {
  return issues.map((issue) => ({ path: v.getDotPath(issue) ?? "", message: issue.message }));
}

/**
 * GET `url` with retries, parse JSON and validate it with `schema`. A body that is not JSON
 * or not the expected shape → `ApptuitResponseError` naming the path of the first problem.
 */
export async function getJson<S extends v.GenericSchema>(
  ctx: GetContext,
  url: string,
  searchParams: Record<string, string>,
  schema: S,
): Promise<{ status: number; body: v.InferOutput<S> }> {
  const request: RequestContext = { method: "GET", url, token: ctx.token, timeout: ctx.timeout, signal: ctx.signal };
  let status: number;
  let text: string;
  try {
    const response = await ctx.http.get(url, {
      searchParams,
      headers: { accept: "application/json" },
      ...(ctx.signal ? { signal: ctx.signal } : {}),
    });
    status = response.status;
    // The data as the server sent it: only what a message quotes from it is redacted.
    text = await response.text();
  } catch (error) {
    throw await toApptuitError(error, request);
  }
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    const snippet = quoteServerText(text, ctx.token, 120);
    throw new ApptuitResponseError(
      `Malformed response from GET ${url}: the body is not JSON${snippet ? ` (${JSON.stringify(snippet)})` : ""}`,
      {
        statusCode: status,
        issues: [{ path: "", message: "the body is not JSON" }],
      },
    );
  }
  const parsed = v.safeParse(schema, body);
  if (!parsed.success) {
    // Issue messages and paths quote the body (a value, an object key): redacted.
    const issues = describeIssues(parsed.issues).map((i) => ({ path: redact(i.path, ctx.token), message: redact(i.message, ctx.token) }));
    throw new ApptuitResponseError(`Malformed response from GET ${url}: at ${issues[0]!.path || "(body)"}: ${issues[0]!.message}`, {
      statusCode: status,
      issues,
    });
  }
  return { status, body: parsed.output };
}
