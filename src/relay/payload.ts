/**
 * Turns a request body into OpenTSDB rows: OpenTSDB JSON (an array of rows, or one row) or
 * the compact format, told apart by content type or by shape. Refusals are `RelayError`s:
 * 400 for anything malformed, 413 for too many points.
 */
import * as v from "valibot";
import type { WirePoint } from "../core/wire";
import { COMPACT_CONTENT_TYPE, decodeCompact } from "./compact-format";
import { CompactFormatError } from "./errors/compact-format-error";
import { RelayError } from "./errors/relay-error";
import { issuePath } from "./issue-path";
import { OpenTsdbBodySchema } from "./opentsdb-schema";

export type PayloadFormat = "opentsdb" | "compact";

const ACCEPTED_TYPES = new Set(["application/json", "text/plain", COMPACT_CONTENT_TYPE, ""]);

/** The media type without parameters, lower-cased ("" when absent). */
export function mediaType(request: Request): string {
  return (request.headers.get("content-type") ?? "").split(";")[0]!.trim().toLowerCase();
}

/** 415 unless the body is declared as JSON, plain text (a string beacon) or the compact type. */
export function checkContentType(type: string): void {
  if (!ACCEPTED_TYPES.has(type)) {
    throw new RelayError(415, `unsupported Content-Type "${type.slice(0, 80)}" (use application/json, text/plain or ${COMPACT_CONTENT_TYPE})`);
  }
}

export function parsePayload(text: string, type: string, maxPoints: number): { format: PayloadFormat; points: WirePoint[] } {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new RelayError(400, `invalid JSON: ${(error as Error).message.slice(0, 160)}`);
  }
  const object = typeof json === "object" && json !== null && !Array.isArray(json) ? (json as object) : undefined;
  if (type === COMPACT_CONTENT_TYPE || (object !== undefined && "v" in object)) {
    return { format: "compact", points: compact(json, maxPoints) };
  }
  if (Array.isArray(json)) return { format: "opentsdb", points: rows(json, maxPoints) };
  if (object !== undefined && "metric" in object) return { format: "opentsdb", points: rows([json], maxPoints) };
  throw new RelayError(400, "expected an array of OpenTSDB points or a compact payload ({\"v\": 1, …})");
}

function compact(json: unknown, maxPoints: number): WirePoint[] {
  try {
    return decodeCompact(json, { maxPoints });
  } catch (error) {
    if (!(error instanceof CompactFormatError)) throw error;
    throw new RelayError(error.tooLarge ? 413 : 400, error.message, { path: error.path });
  }
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
