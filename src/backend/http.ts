/** Small Response builders shared by the route handlers. */

const JSON_HEADERS = { "content-type": "application/json; charset=utf-8" };

export function json(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), { status, headers: { ...JSON_HEADERS, ...headers } });
}

/** OpenTSDB's error shape: `{"error": {"code": 400, "message": "..."}}`. */
export function errorResponse(status: number, message: string, headers: Record<string, string> = {}): Response {
  return json({ error: { code: status, message } }, status, headers);
}

export function noContent(): Response {
  return new Response(null, { status: 204 });
}
