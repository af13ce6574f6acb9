import type { KyInstance } from "ky";
import { isHTTPError } from "ky";
import * as v from "valibot";
import type { WirePoint } from "./wire";
import { chunk } from "./batch";
import { gzip } from "./gzip";
import { redact, toApptuitError, type RequestContext } from "./http";
import { ApptuitError } from "./errors/apptuit-error";
import { ApptuitHttpError } from "./errors/http-error";
import { ApptuitResponseError } from "./errors/response-error";
import { ApptuitSendError, type SendErrorDetail } from "./errors/send-error";

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
  http: KyInstance;
  writeEndpoint: string;
  token: string;
  timeout: number;
  compress: boolean;
  signal: AbortSignal | undefined;
  /** Points per request (default 50 000). */
  maxPoints?: number;
}

interface Tally {
  requests: number;
  stored: number;
  success: number;
  failed: number;
  errors: SendErrorDetail[];
}

const PATH = "/api/put?details";

async function post(ctx: SendContext, points: WirePoint[]): Promise<void> {
  const json = JSON.stringify(points);
  // Where the runtime cannot compress (Next.js' edge sandbox), the body goes as plain JSON.
  const gzipped = ctx.compress ? await gzip(json) : undefined;
  const body = gzipped ?? json;
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (gzipped) headers["content-encoding"] = "gzip";
  const response = await ctx.http.post(`${ctx.writeEndpoint}/api/put`, {
    searchParams: "details",
    body,
    headers,
    ...(ctx.signal ? { signal: ctx.signal } : {}),
  });
  // A 200 may carry a body; release it so runtimes can reuse the connection.
  await response.body?.cancel().catch(() => undefined);
}

async function readDetails(response: Response, ctx: SendContext, url: string): Promise<v.InferOutput<typeof PutDetailsSchema>> {
  const text = redact(await response.text().catch(() => ""), ctx.token);
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    // A 400 without the details body (e.g. a server refusing the encoding): nothing was stored.
    throw new ApptuitHttpError(`POST ${url} answered 400${text.trim() ? `: ${text.trim().slice(0, 300)}` : ""}`, {
      statusCode: 400,
    });
  }
  const parsed = v.safeParse(PutDetailsSchema, body);
  if (!parsed.success) {
    const issues = parsed.issues.map((i) => ({ path: v.getDotPath(i) ?? "", message: i.message }));
    throw new ApptuitResponseError(
      `Malformed 400 body from POST ${url}: at ${issues[0]!.path || "(body)"}: ${issues[0]!.message}`,
      { statusCode: 400, issues },
    );
  }
  return parsed.output;
}

/** Sends one batch; on 413 splits it in halves, recursively. Errors carry this batch's undelivered points. */
async function sendBatch(ctx: SendContext, batch: WirePoint[], tally: Tally): Promise<void> {
  const url = `${ctx.writeEndpoint}${PATH}`;
  const request: RequestContext = { method: "POST", url, token: ctx.token, timeout: ctx.timeout, signal: ctx.signal };
  try {
    await post(ctx, batch);
  } catch (error) {
    if (isHTTPError(error) && error.response.status === 413 && batch.length > 1 && !ctx.signal?.aborted) {
      tally.requests++;
      const mid = Math.ceil(batch.length / 2);
      const second = batch.slice(mid);
      try {
        await sendBatch(ctx, batch.slice(0, mid), tally);
      } catch (inner) {
        if (inner instanceof ApptuitError) inner.undelivered = [...inner.undelivered, ...second];
        throw inner;
      }
      await sendBatch(ctx, second, tally);
      return;
    }
    let mapped: ApptuitError;
    if (isHTTPError(error) && error.response.status === 400 && !ctx.signal?.aborted) {
      tally.requests++;
      try {
        const details = await readDetails(error.response, ctx, url);
        tally.success += details.success;
        tally.stored += details.success;
        tally.failed += details.failed;
        for (const e of details.errors) tally.errors.push({ datapoint: e.datapoint, error: e.error });
        return;
      } catch (e) {
        mapped = e as ApptuitError;
      }
    } else {
      mapped = await toApptuitError(error, request);
    }
    mapped.undelivered = [...batch];
    throw mapped;
  }
  tally.requests++;
  tally.stored += batch.length;
  tally.success += batch.length;
}

/**
 * POSTs wire points in requests of ≤ 50 000, one after another. A 400 with details is
 * collected and the remaining batches still go out; any other failure stops the call and
 * its `undelivered` lists that batch's unsent part plus every batch not yet attempted
 * (rejections collected before such a failure are not reported: the fatal error wins).
 */
export async function sendPoints(ctx: SendContext, points: WirePoint[]): Promise<SendResult> {
  const tally: Tally = { requests: 0, stored: 0, success: 0, failed: 0, errors: [] };
  const batches = chunk(points, ctx.maxPoints);
  for (let i = 0; i < batches.length; i++) {
    try {
      await sendBatch(ctx, batches[i]!, tally);
    } catch (error) {
      const mapped = error instanceof ApptuitError ? error : new ApptuitError(String(error), { cause: error });
      mapped.undelivered = [...mapped.undelivered, ...batches.slice(i + 1).flat()];
      throw mapped;
    }
  }
  if (tally.failed > 0) {
    const shown = tally.errors.slice(0, 3).map((e) => e.error).join("; ");
    throw new ApptuitSendError(
      `The server rejected ${tally.failed} of ${tally.success + tally.failed} points (400): ${shown}${tally.errors.length > 3 ? "; …" : ""}`,
      { statusCode: 400, success: tally.success, failed: tally.failed, errors: tally.errors },
    );
  }
  return { points: tally.stored, requests: tally.requests };
}
