/** Answers of the relay. Bodies are small JSON objects the page can read (CORS permitting). */

export function jsonResponse(status: number, body: unknown, headers: Record<string, string>): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { ...headers, "Content-Type": "application/json", "Cache-Control": "no-store" },
  });
}

export function errorResponse(status: number, error: string, path: string | undefined, headers: Record<string, string>): Response {
  return jsonResponse(status, path === undefined ? { error } : { error, path }, headers);
}

export function emptyResponse(status: number, headers: Record<string, string>): Response {
  return new Response(null, { status, headers: { ...headers, "Cache-Control": "no-store" } });
}
