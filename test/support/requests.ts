/** Builders of requests for the embedded backend, shared by unit tests. */

export const BASE = "http://apptuit.test";

export interface PutOptions {
  token?: string;
  /** Compress the body with this Content-Encoding. */
  encoding?: "gzip" | "deflate";
  base?: string;
  /** Raw body text instead of JSON.stringify(points). */
  raw?: string;
  details?: boolean;
}

/** `POST /api/put?details` with a JSON body (optionally compressed with CompressionStream). */
export async function putRequest(points: unknown, options: PutOptions = {}): Promise<Request> {
  const text = options.raw ?? JSON.stringify(points);
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`;
  let body: string | Uint8Array<ArrayBuffer> = text;
  if (options.encoding !== undefined) {
    body = await compress(text, options.encoding);
    headers["content-encoding"] = options.encoding;
  }
  const query = options.details === false ? "" : "?details";
  return new Request(`${options.base ?? BASE}/api/put${query}`, { method: "POST", headers, body });
}

/** `GET /api/query?start=&end=&q=`. */
export function queryRequest(q: string, start: number, end?: number, token?: string, base = BASE): Request {
  const params = new URLSearchParams({ start: String(start), q });
  if (end !== undefined) params.set("end", String(end));
  const headers: Record<string, string> = token === undefined ? {} : { authorization: `Bearer ${token}` };
  return new Request(`${base}/api/query?${params}`, { headers });
}

/** `GET {base}/api/v1/<path>?<params>`. */
export function promRequest(path: "query_range" | "query", params: Record<string, string>, base = BASE): Request {
  return new Request(`${base}/api/v1/${path}?${new URLSearchParams(params)}`);
}

export async function compress(text: string, format: "gzip" | "deflate"): Promise<Uint8Array<ArrayBuffer>> {
  const stream = new Blob([text]).stream().pipeThrough(new CompressionStream(format));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/** A valid point; override any field. */
export function point(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return { metric: "proc.cpu.percent", timestamp: 1_700_000_000, value: 1.5, tags: { host: "a" }, ...overrides };
}
