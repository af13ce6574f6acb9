/** Route tag values of request metrics, kept few: ids in paths become `:id`. */

// A segment that names one thing among many rather than a route: numbers, UUIDs, hex
// digests / object ids, and long tokens with digits in them (slugs-with-ids, base64).
const ID_PATTERNS = [
  /^\d+$/,
  /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i,
  /^[0-9a-f]{12,}$/i,
  /^(?=.*\d)[A-Za-z0-9_-]{16,}$/,
  /^[^.]*\d[^.]*\d[^.]*\d/, // three or more digits outside a file extension
];

/** Segments kept; deeper paths end in `/*` so that crawlers cannot mint routes. */
const MAX_SEGMENTS = 6;
const MAX_SEGMENT_LENGTH = 64;

function collapseSegment(segment: string): string {
  if (segment === "") return segment;
  if (segment.length > MAX_SEGMENT_LENGTH) return ":id";
  return ID_PATTERNS.some((pattern) => pattern.test(segment)) ? ":id" : segment;
}

/**
 * The default `route(request)`: the URL path with id-like segments replaced by `:id`,
 * e.g. `/users/42/orders/9f86d081884c7d65` → `/users/:id/orders/:id`.
 */
export function defaultRoute(request: Request): string {
  let path: string;
  try {
    path = new URL(request.url).pathname;
  } catch {
    return "/";
  }
  const segments = path.split("/").slice(1);
  const kept = segments.slice(0, MAX_SEGMENTS).map(collapseSegment);
  return `/${kept.join("/")}${segments.length > MAX_SEGMENTS ? "/*" : ""}`;
}

const METHODS = new Set(["GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "CONNECT", "TRACE"]);

/** The request method, or `OTHER` for non-standard ones (a tag value must stay bounded). */
export function methodTag(method: string): string {
  const upper = method.toUpperCase();
  return METHODS.has(upper) ? upper : "OTHER";
}

/** `2xx`, `3xx`, … ; anything outside 100–599 counts as `5xx`. */
export function statusClass(status: number): string {
  return status >= 100 && status < 600 ? `${Math.floor(status / 100)}xx` : "5xx";
}
