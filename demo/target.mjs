// Where the demo writes and reads: the embedded in-memory backend (default), a real Apptuit
// endpoint (APPTUIT_ENDPOINT + APPTUIT_API_TOKEN) or a local VictoriaMetrics.
import { randomUUID } from "node:crypto";

/**
 * @typedef {object} Target
 * @property {"embedded" | "apptuit" | "victoria-metrics"} kind
 * @property {string} label          shown on the page and in the console
 * @property {string} token          server-side only: never sent to the page
 * @property {string | undefined} writeEndpoint   base URL of POST /api/put (undefined: this server)
 * @property {string | undefined} queryEndpoint   base URL of GET /api/query and /prometheus/… (undefined: this server)
 * @property {"apptuit" | "promql"} queryLanguage what the page's charts speak
 */

/**
 * Reads the target from flags and environment. Returns `{ error }` for a half-given
 * configuration rather than silently falling back to the embedded backend.
 *
 * @param {{ victoriaMetrics?: string, victoriaMetricsWrite?: string }} flags
 * @param {Record<string, string | undefined>} env
 * @returns {Target | { error: string }}
 */
export function resolveTarget(flags, env) {
  const vm = flags.victoriaMetrics ?? env.DEMO_VICTORIA_METRICS;
  if (vm) {
    const query = trimSlash(vm);
    // VictoriaMetrics serves /api/put only on its -opentsdbHTTPListenAddr port.
    const write = trimSlash(flags.victoriaMetricsWrite ?? env.DEMO_VICTORIA_METRICS_WRITE ?? withPort(query, 4242));
    return {
      kind: "victoria-metrics",
      label: `VictoriaMetrics (query ${query}, write ${write})`,
      // VictoriaMetrics ignores Bearer tokens; the client still wants one.
      token: env.APPTUIT_API_TOKEN || "victoria-metrics-ignores-bearer-tokens",
      writeEndpoint: write,
      queryEndpoint: query,
      queryLanguage: "promql",
    };
  }

  const endpoint = env.APPTUIT_ENDPOINT;
  const token = env.APPTUIT_API_TOKEN;
  if (endpoint !== undefined || token !== undefined) {
    if (!endpoint || !token) {
      return { error: "Set both APPTUIT_ENDPOINT and APPTUIT_API_TOKEN to use a real endpoint (or neither for the embedded backend)." };
    }
    return {
      kind: "apptuit",
      label: `Apptuit at ${trimSlash(endpoint)}`,
      token,
      writeEndpoint: trimSlash(endpoint),
      queryEndpoint: trimSlash(endpoint),
      queryLanguage: "apptuit",
    };
  }

  return {
    kind: "embedded",
    label: "embedded in-memory backend (this server: /api/put, /api/query, /api/v1/*)",
    // A fresh secret per run: only this process knows it, the page never sees it.
    token: randomUUID(),
    writeEndpoint: undefined,
    queryEndpoint: undefined,
    queryLanguage: "apptuit",
  };
}

function trimSlash(url) {
  return url.replace(/\/+$/, "");
}

function withPort(url, port) {
  const u = new URL(url);
  u.port = String(port);
  return trimSlash(u.toString());
}
