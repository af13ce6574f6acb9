import type { BackendContext } from "../context";
import { BackendHttpError } from "../http-error";
import { json } from "../http";
import { parseTimeParam } from "../time";
import { evaluate } from "./evaluate";
import { parseQuery } from "./parse";
import { QueryError } from "./query-error";

/** `GET /api/query?start=&end=&q=`: runs the query-language subset documented in parse.ts. */
export function handleQuery(request: Request, ctx: BackendContext): Response {
  const params = new URL(request.url).searchParams;
  const q = params.get("q");
  if (q === null || q.trim() === "") throw new BackendHttpError(400, "missing query parameter q");
  const startText = params.get("start");
  if (startText === null) throw new BackendHttpError(400, "missing query parameter start (Unix seconds)");
  const start = parseTimeParam(startText);
  if (start === undefined) throw new BackendHttpError(400, "invalid start: use Unix seconds");
  const endText = params.get("end");
  const end = endText === null || endText === "" ? ctx.now() : parseTimeParam(endText);
  if (end === undefined) throw new BackendHttpError(400, "invalid end: use Unix seconds");
  if (end < start) throw new BackendHttpError(400, "end is before start");

  try {
    return json(evaluate(parseQuery(q), ctx.store, start, end));
  } catch (error) {
    if (error instanceof QueryError) throw new BackendHttpError(400, error.message);
    throw error;
  }
}
