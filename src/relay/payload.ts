/**
 * Turns a request body into OpenTSDB rows: OpenTSDB JSON (an array of rows, or one row) or
 * the compact format, told apart by content type or by shape. Refusals are `RelayError`s:
 * 400 for anything malformed, 413 for too many points.
 */
import * as v from "valibot";
import type { WirePoint } from "../core/wire";
import type { DeltaKind } from "../core/series-delta";
import { COMPACT_CONTENT_TYPE, decodeCompact } from "./compact-format";
import { decodeCompactV2, type DeltaRow } from "./compact-v2";
import { CompactFormatError } from "./errors/compact-format-error";
import { RelayError } from "./errors/relay-error";
import { issuePath } from "./issue-path";
import { OpenTsdbBodySchema } from "./opentsdb-schema";

export type PayloadFormat = "opentsdb" | "compact";

/** OpenTSDB rows to pass through, or compact v2 deltas (to aggregate, or expand and pass through). */
export type Payload = { format: PayloadFormat; points: WirePoint[] } | { format: "deltas"; rows: DeltaRow[] };

export interface PayloadLimits {
  maxPoints: number;
  maxExpandedBytes: number;
  /** Fields written per delta of a kind when passed through (1 when aggregated). */
  fieldsPerKind: (kind: DeltaKind) => number;
}

const ACCEPTED_TYPES = new Set(["application/json", "text/plain", COMPACT_CONTENT_TYPE, ""]);

/** The media type without parameters, lower-cased ("" when absent). */
export function mediaType(request: Request): string {
  return (request.headers.get("content-type") ?? "").split(";")[0]!.trim().toLowerCase();
}

/** 415 unless the body is declared as JSON, plain text (a string beacon) or the compact type. */
export function checkContentType(type: string): void {
  if (!ACCEPTED_TYPES.has(type)) {
    throw new RelayError(
      415,
      `unsupported Content-Type "${type.slice(0, 80)}" (use application/json, text/plain or ${COMPACT_CONTENT_TYPE})`,
    );
  }
}

export function parsePayload(text: string, type: string, limits: PayloadLimits): Payload {
  const { maxPoints } = limits;
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new RelayError(400, `invalid JSON: ${(error as Error).message.slice(0, 160)}`);
  }
  const object = typeof json === "object" && json !== null && !Array.isArray(json) ? (json as object) : undefined;
  if (object !== undefined && (object as { v?: unknown }).v === 2) return { format: "deltas", rows: deltas(object, limits) };
  if (type === COMPACT_CONTENT_TYPE || (object !== undefined && "v" in object)) {
    return { format: "compact", points: compact(json, limits) };
  }
  if (Array.isArray(json)) return { format: "opentsdb", points: rows(json, maxPoints) };
  if (object !== undefined && "metric" in object) return { format: "opentsdb", points: rows([json], maxPoints) };
  throw new RelayError(400, 'expected an array of OpenTSDB points or a compact payload ({"v": 1, …})');
}

function compact(json: unknown, limits: PayloadLimits): WirePoint[] {
  try {
    return decodeCompact(json, { maxPoints: limits.maxPoints, maxExpandedBytes: limits.maxExpandedBytes });
  } catch (error) {
    throw refusal(error);
  }
}

function deltas(json: object, limits: PayloadLimits): DeltaRow[] {
  try {
    return decodeCompactV2(json, limits);
  } catch (error) {
    throw refusal(error);
  }
}

function refusal(error: unknown): unknown {
  if (!(error instanceof CompactFormatError)) return error;
  return new RelayError(error.tooLarge ? 413 : 400, error.message, { path: error.path, ...(error.tooLarge && { reason: "too_large" }) });
}

function rows(json: unknown[], maxPoints: number): WirePoint[] {
  // Count first: no point validating rows that will be refused anyway.
  if (json.length > maxPoints) throw new RelayError(413, `${json.length} points, more than the ${maxPoints} allowed`);
  if (json.length === 0) return [];
  const parsed = v.safeParse(OpenTsdbBodySchema, json, { abortEarly: true });
  if (!parsed.success) {
    const issue = parsed.issues[0];
    const path = issuePath(issue);
    throw new RelayError(400, `invalid point${path === undefined ? "" : ` at ${path}`}: ${issue.message}`, { path });
  }
  return parsed.output;
}
