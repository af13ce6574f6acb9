/**
 * Keeping the token out of messages. Redaction works on decoded text, at the point where
 * a server's text becomes part of a message: data (a query answer, a 400's rows) is never
 * rewritten, only what is quoted from it. See docs/delivery.md.
 */

/** Replaces every occurrence of `token` in decoded `text`. */
export function redact(text: string, token: string): string {
  return token ? text.split(token).join("[token]") : text;
}

const ESCAPE = /\\(?:u([0-9a-fA-F]{4})|(["\\/bfnrt]))/g;
const SIMPLE: Record<string, string> = { '"': '"', "\\": "\\", "/": "/", b: "\b", f: "\f", n: "\n", r: "\r", t: "\t" };

/**
 * Server text quoted in a message: JSON escapes decoded first (a server may echo the token
 * as `\u0074ok…`, or with PHP's `\/`), then redacted, then cut to `max` characters — so a
 * token is never half cut off and half shown.
 */
export function quoteServerText(raw: string, token: string, max = 300): string {
  const decoded = raw.replace(ESCAPE, (_, hex: string | undefined, c: string | undefined) =>
    hex !== undefined ? String.fromCharCode(parseInt(hex, 16)) : SIMPLE[c!]!,
  );
  return redact(decoded.trim(), token).slice(0, max);
}

/**
 * A server's echo of a point (a 400 row's `datapoint`), redacted in its strings: it ends up
 * in an error, and errors get logged. Objects are copied, never changed in place.
 */
export function redactEcho(value: unknown, token: string, depth = 0): unknown {
  if (!token) return value;
  if (typeof value === "string") return redact(value, token);
  if (typeof value !== "object" || value === null || depth > 4) return value;
  if (Array.isArray(value)) return value.map((v) => redactEcho(v, token, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[redact(k, token)] = redactEcho(v, token, depth + 1);
  return out;
}
