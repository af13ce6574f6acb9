import { readBody } from "./body";
import type { BackendContext } from "./context";
import { BackendHttpError } from "./http-error";
import { json, noContent } from "./http";
import { timestampToMs, validatePoint } from "./schema";

/** One refused point, as the real server lists it under `errors`. */
interface PointError {
  datapoint: unknown;
  error: string;
}

/**
 * `POST /api/put[?details]`: stores every valid point; 204 when all were valid, otherwise
 * 400 `{success, failed, errors}` listing each refused point (the valid ones stay stored).
 * The whole request is refused with 413 above `maxPoints` or `maxBodyBytes`.
 */
export async function handlePut(request: Request, ctx: BackendContext): Promise<Response> {
  const text = await readBody(request, ctx.maxBodyBytes);
  const rows = parseRows(text);
  if (rows.length > ctx.maxPoints) {
    throw new BackendHttpError(413, `too many datapoints in one request: ${rows.length} (at most ${ctx.maxPoints})`);
  }

  const errors: PointError[] = [];
  let success = 0;
  for (const row of rows) {
    const checked = validatePoint(row);
    if ("error" in checked) {
      errors.push({ datapoint: row, error: checked.error });
      continue;
    }
    ctx.store.add(checked.point, timestampToMs(checked.point.timestamp)!);
    success++;
  }
  ctx.stats.pointsStored += success;
  ctx.stats.pointsFailed += errors.length;

  if (errors.length === 0) return noContent();
  return json({ success, failed: errors.length, errors }, 400);
}

function parseRows(text: string): unknown[] {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (error) {
    const detail = error instanceof Error ? `: ${error.message.slice(0, 200)}` : "";
    throw new BackendHttpError(400, `malformed JSON body${detail}`);
  }
  const rows = Array.isArray(body) ? body : typeof body === "object" && body !== null ? [body] : undefined;
  if (rows === undefined) throw new BackendHttpError(400, "the body must be a JSON array of datapoints or one datapoint object");
  if (rows.length === 0) throw new BackendHttpError(400, "the body holds no datapoints");
  return rows;
}
