import { errorResponse } from "./http";

/**
 * Checks `Authorization: Bearer <token>` when the backend has a token.
 * Returns a 401 response to send, or undefined when the request may proceed.
 * The expected token never appears in the answer.
 */
export function checkAuth(request: Request, token: string | undefined): Response | undefined {
  if (token === undefined) return undefined;
  const header = request.headers.get("authorization") ?? "";
  const match = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header);
  if (match?.[1] === undefined) {
    return errorResponse(401, "missing bearer token", { "www-authenticate": 'Bearer realm="apptuit"' });
  }
  if (!timingSafeEqual(match[1], token)) {
    return errorResponse(401, "invalid token", { "www-authenticate": 'Bearer realm="apptuit", error="invalid_token"' });
  }
  return undefined;
}

/** Compares without returning early on the first different character. */
function timingSafeEqual(a: string, b: string): boolean {
  let diff = a.length ^ b.length;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i % Math.max(b.length, 1));
  return diff === 0;
}
