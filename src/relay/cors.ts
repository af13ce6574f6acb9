/**
 * CORS for beacons. A cross-origin `sendBeacon` with a JSON `Blob` is dropped by the
 * browser unless the answer echoes the exact `Origin` with `Allow-Credentials: true`
 * (`*` is not enough, RUNTIMES.md), so allowed origins are listed, never wildcarded.
 */
import { ApptuitConfigError } from "../core/errors/config-error";
import { STORED_HEADER } from "./stored-header";

/** An exact origin (`https://shop.example`), a RegExp tested on the origin, or a predicate. */
export type OriginRule = string | RegExp | ((origin: string) => boolean);

export interface CorsPolicy {
  /** Whether a request may be served: no `Origin`, the relay's own origin, or an allowed one. */
  allows(request: Request): boolean;
  /** Headers for every answer to an allowed request (empty without an `Origin`). */
  headers(request: Request): Record<string, string>;
  /** Headers of the answer to an allowed preflight. */
  preflightHeaders(request: Request): Record<string, string>;
}

export function createCorsPolicy(rules: ReadonlyArray<OriginRule> = [], maxAge = 86_400): CorsPolicy {
  const exact = new Set<string>();
  const tests: ((origin: string) => boolean)[] = [];
  for (const rule of rules) {
    if (typeof rule === "function") tests.push(rule);
    else if (rule instanceof RegExp)
      tests.push((origin) => {
        rule.lastIndex = 0;
        return rule.test(origin);
      });
    else exact.add(normalizeOrigin(rule));
  }
  const allowsOrigin = (origin: string, request: Request) =>
    exact.has(origin) || sameOrigin(origin, request.url) || tests.some((test) => test(origin));

  const headers = (request: Request): Record<string, string> => {
    const origin = request.headers.get("origin");
    if (origin === null) return { Vary: "Origin" };
    return {
      "Access-Control-Allow-Origin": origin,
      "Access-Control-Allow-Credentials": "true",
      // A cross-origin page reads how many points a 400 says were stored from a header.
      "Access-Control-Expose-Headers": `Retry-After, ${STORED_HEADER}`,
      Vary: "Origin",
    };
  };
  return {
    allows(request) {
      const origin = request.headers.get("origin");
      return origin === null || allowsOrigin(origin, request);
    },
    headers,
    preflightHeaders(request) {
      return {
        ...headers(request),
        "Access-Control-Allow-Methods": "POST",
        "Access-Control-Allow-Headers": "content-type, content-encoding",
        "Access-Control-Max-Age": String(maxAge),
      };
    },
  };
}

function normalizeOrigin(rule: string): string {
  if (rule.includes("*")) {
    throw new ApptuitConfigError(
      `allowedOrigins: "${rule}" is not allowed: a credentialed beacon needs exact origins (list them, or pass a RegExp)`,
    );
  }
  if (rule === "null") return rule; // sandboxed iframes and file: pages send "Origin: null"
  let url: URL;
  try {
    url = new URL(rule);
  } catch {
    throw new ApptuitConfigError(`allowedOrigins: "${rule}" is not an origin like "https://shop.example"`);
  }
  if (url.origin === "null") throw new ApptuitConfigError(`allowedOrigins: "${rule}" has no origin (use http: or https:)`);
  return url.origin;
}

function sameOrigin(origin: string, requestUrl: string): boolean {
  try {
    return new URL(requestUrl).origin === origin;
  } catch {
    return false;
  }
}
