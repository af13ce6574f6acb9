import * as v from "valibot";
import type { WirePoint } from "./wire";
import { chunk } from "./batch";
import { gzip } from "./gzip";
import { toApptuitError, type RequestContext } from "./http";
import { type HttpClient, statusErrorResponse } from "./http-client";
import { quoteServerText, redact, redactEcho } from "./redact";
import { ApptuitHttpError } from "./errors/http-error";
import { ApptuitResponseError } from "./errors/response-error";
import type { SendErrorDetail } from "./errors/send-error";
import { addReasons, asApptuitError, emptyOutcome, type SendOutcome } from "./outcome";
import { isRetryableStatus } from "./wire-rules";

export interface SendResult {
  /** Points stored. */
  points: number;
  /** HTTP requests that got a final answer (413 splits count each half). */
  requests: number;
}

/** Body of a 400 from `/api/put?details`. */
export const PutDetailsSchema = v.object({
  success: v.number(),
  failed: v.number(),
  errors: v.array(v.object({ datapoint: v.optional(v.unknown()), error: v.string() })),
});

export interface SendContext {
  http: HttpClient;
  writeEndpoint: string;
  token: string;
  timeout: number;
  compress: boolean;
  signal: AbortSignal | undefined;
  /** Points per request: the one place a write is cut into requests (default 50 000). */
  maxPoints?: number;
}

const PATH = "/api/put?details";

/** What one request's answer means for its batch. */
type Answer =
  | { kind: "stored" }
  | { kind: "too-large" }
  | { kind: "details"; failed: number; errors: SendErrorDetail[] }
  | { kind: "failed"; error: unknown };

async function post(ctx: SendContext, points: WirePoint[]): Promise<void> {
  const json = JSON.stringify(points);
  // Where the runtime cannot compress (Next.js' edge sandbox), the body goes as plain JSON.
  const gzipped = ctx.compress ? await gzip(json) : undefined;
  const body = gzipped ?? json;
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (gzipped) headers["content-encoding"] = "gzip";
  await ctx.http.post(`${ctx.writeEndpoint}/api/put`, {
    searchParams: "details",
    body,
    headers,
    // Points stored on another host would be counted as stored here: a redirect is an error.
    redirect: "manual",
    ...(ctx.signal ? { signal: ctx.signal } : {}),
  });
}

async function readDetails(response: Response, ctx: SendContext, url: string): Promise<v.InferOutput<typeof PutDetailsSchema>> {
  const text = await response.text().catch(() => "");
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    // A 400 without the details body (e.g. a server refusing the encoding): nothing was stored.
    const quoted = quoteServerText(text, ctx.token);
    throw new ApptuitHttpError(`POST ${url} answered 400${quoted ? `: ${quoted}` : ""}`, { statusCode: 400 });
  }
  const parsed = v.safeParse(PutDetailsSchema, body);
  if (!parsed.success) {
    const issues = parsed.issues.map((i) => ({ path: redact(v.getDotPath(i) ?? "", ctx.token), message: redact(i.message, ctx.token) }));
    throw new ApptuitResponseError(`Malformed 400 body from POST ${url}: at ${issues[0]!.path || "(body)"}: ${issues[0]!.message}`, {
      statusCode: 400,
      issues,
    });
  }
  return parsed.output;
}

/** One request for `batch`, its answer read. Never throws. */
async function attempt(ctx: SendContext, batch: WirePoint[], url: string): Promise<Answer> {
  try {
    await post(ctx, batch);
    return { kind: "stored" };
  } catch (error) {
    const response = statusErrorResponse(error);
    if (ctx.signal?.aborted || response === undefined) return { kind: "failed", error };
    if (response.status === 413) return { kind: "too-large" };
    if (response.status !== 400) return { kind: "failed", error };
    try {
      const details = await readDetails(response, ctx, url);
      // A server's counts are clamped to what was sent: it cannot reject more than that.
      const failed = Math.min(batch.length, Math.max(0, Math.floor(details.failed)));
      return {
        kind: "details",
        failed,
        errors: details.errors.map((e) => ({ datapoint: redactEcho(e.datapoint, ctx.token), error: redact(e.error, ctx.token) })),
      };
    } catch (readError) {
      return { kind: "failed", error: readError };
    }
  }
}

/**
 * POSTs wire points in requests of at most `maxPoints` (the client's `maxPointsPerRequest`:
 * the one place a write is cut into requests), one after another, and returns what happened
 * to each point. A 400 with details rejects its rows and the other batches still go out;
 * a 413 splits the batch in halves, and a single point the server finds too large is
 * rejected alone. Any other failure stops the call: that batch and every later one are
 * `undelivered`, and `failure.retryable` says whether sending them again may succeed.
 */
export async function sendPoints(ctx: SendContext, points: WirePoint[]): Promise<SendOutcome> {
  const outcome = emptyOutcome();
  const url = `${ctx.writeEndpoint}${PATH}`;
  const request: RequestContext = { method: "POST", url, token: ctx.token, timeout: ctx.timeout, signal: ctx.signal };
  // A stack, next batch last: a 413 puts its two halves back in place of the batch.
  const stack = chunk(points, ctx.maxPoints).reverse();
  while (stack.length > 0) {
    const batch = stack.pop()!;
    const answer = await attempt(ctx, batch, url);
    if (answer.kind === "failed") {
      const error = asApptuitError(await toApptuitError(answer.error, request));
      const status = (error as { statusCode?: unknown }).statusCode;
      outcome.undelivered = batch.concat(...stack.reverse());
      outcome.failure = { error, retryable: isRetryableStatus(typeof status === "number" ? status : undefined) };
      return outcome;
    }
    outcome.requests++;
    if (answer.kind === "stored") {
      outcome.stored += batch.length;
    } else if (answer.kind === "details") {
      outcome.stored += batch.length - answer.failed;
      outcome.rejected += answer.failed;
      outcome.rejectedStatus = 400;
      addReasons(outcome, answer.errors);
    } else if (batch.length > 1) {
      const mid = Math.ceil(batch.length / 2);
      stack.push(batch.slice(mid), batch.slice(0, mid));
    } else {
      outcome.rejected++;
      outcome.rejectedStatus ??= 413;
      addReasons(outcome, [{ datapoint: batch[0], error: "the point alone is larger than the server accepts (413)" }]);
    }
  }
  return outcome;
}
