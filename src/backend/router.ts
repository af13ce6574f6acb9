import { trimTrailingSlashes } from "../core/trim-slashes";
import { checkAuth } from "./auth";
import type { BackendContext } from "./context";
import { BackendHttpError } from "./http-error";
import { errorResponse, json } from "./http";
import { PromError } from "./prom/prom-error";
import { handlePromQuery } from "./prom/handler";
import { handlePut } from "./put";
import { handleQuery } from "./query/handler";
import type { InjectedFailure } from "./types";

interface Route {
  /** Matched against the end of the path, so any prefix works (`/prometheus/api/v1/…`). */
  suffix: string;
  methods: readonly string[];
  /** Which counter of `stats()` this route bumps. */
  counter: "puts" | "queries" | "promQueries";
  /** Prometheus routes answer errors in the Prometheus shape. */
  prom: boolean;
  handle(request: Request, ctx: BackendContext): Promise<Response> | Response;
}

const ROUTES: readonly Route[] = [
  { suffix: "/api/put", methods: ["POST"], counter: "puts", prom: false, handle: handlePut },
  { suffix: "/api/query", methods: ["GET"], counter: "queries", prom: false, handle: handleQuery },
  {
    suffix: "/api/v1/query_range",
    methods: ["GET", "POST"],
    counter: "promQueries",
    prom: true,
    handle: (r, c) => handlePromQuery(r, c, false),
  },
  { suffix: "/api/v1/query", methods: ["GET", "POST"], counter: "promQueries", prom: true, handle: (r, c) => handlePromQuery(r, c, true) },
];

const CORS_HEADERS = {
  "access-control-allow-origin": "*",
  "access-control-allow-methods": "GET, POST, OPTIONS",
  "access-control-allow-headers": "authorization, content-type, content-encoding",
  "access-control-max-age": "600",
};

export interface RouterState {
  ctx: BackendContext;
  token: string | undefined;
  cors: boolean;
  failures: InjectedFailure[];
}

/** Serves one request: counts it, then CORS preflight, route, injected failures, auth, handler. */
export async function route(request: Request, state: RouterState): Promise<Response> {
  const { ctx } = state;
  ctx.stats.requests++;
  const response = await dispatch(request, state);
  if (response.status >= 400) ctx.stats.rejected++;
  if (!state.cors) return response;
  const headers = new Headers(response.headers);
  for (const [k, v] of Object.entries(CORS_HEADERS)) headers.set(k, v);
  return new Response(response.body, { status: response.status, statusText: response.statusText, headers });
}

async function dispatch(request: Request, state: RouterState): Promise<Response> {
  const path = trimTrailingSlashes(new URL(request.url).pathname);
  if (state.cors && request.method === "OPTIONS") return new Response(null, { status: 204 });

  const found = ROUTES.find((r) => path.endsWith(r.suffix));
  if (found === undefined) return errorResponse(404, `no such endpoint: ${path.slice(0, 200)}`);
  state.ctx.stats[found.counter]++;
  const failure = takeFailure(state.failures, path);
  if (failure !== undefined) return failure;
  if (!found.methods.includes(request.method)) {
    return errorResponse(405, `method ${request.method} not allowed on ${found.suffix}`, { allow: found.methods.join(", ") });
  }
  const denied = checkAuth(request, state.token);
  if (denied !== undefined) return denied;

  try {
    return await found.handle(request, state.ctx);
  } catch (error) {
    if (error instanceof PromError) {
      return json({ status: "error", errorType: error.errorType, error: error.message }, error.status);
    }
    if (error instanceof BackendHttpError) {
      if (found.prom) return json({ status: "error", errorType: "bad_data", error: error.message }, error.status, error.headers);
      return errorResponse(error.status, error.message, error.headers);
    }
    const message = error instanceof Error ? error.message : String(error);
    return errorResponse(500, `internal error in the embedded backend: ${message.slice(0, 200)}`);
  }
}

function takeFailure(failures: InjectedFailure[], path: string): Response | undefined {
  const index = failures.findIndex((f) => f.path === undefined || path.endsWith(trimTrailingSlashes(f.path)));
  if (index < 0) return undefined;
  const failure = failures[index]!;
  const left = (failure.times ?? 1) - 1;
  if (left <= 0) failures.splice(index, 1);
  else failures[index] = { ...failure, times: left };
  if (failure.status === 204 || failure.status === 205 || failure.status === 304) {
    return new Response(null, { status: failure.status, headers: failure.headers ?? {} });
  }
  const body = failure.body ?? { error: { code: failure.status, message: "injected failure" } };
  return json(body, failure.status, failure.headers ?? {});
}
