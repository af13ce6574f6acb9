import type { MetricsRegistry } from "../../registry/registry";
import type { ApptuitReporter } from "../../reporter/reporter";
import type { EdgeOptions } from "../shared/edge-options";
import { EdgeReporting } from "../shared/edge-reporting";
import type { MiddlewareEvent, MiddlewareResult } from "./types";

export interface NextOptions extends EdgeOptions {
  /**
   * Where `APPTUIT_API_TOKEN`, `APPTUIT_TAGS` and `APPTUIT_ENDPOINT` are read. Default:
   * `process.env` where the runtime has one — under `next start` the edge sandbox exposes
   * the server's environment at run time. Where values are only known at build time
   * (`NEXT_PUBLIC_*`, next.config `env`, hosts that inline), pass them explicitly:
   * `env: { APPTUIT_API_TOKEN: process.env.APPTUIT_API_TOKEN, … }`.
   */
  env?: Record<string, string | undefined>;
}

/** The wrapped middleware, plus the registry and reporter it reports with. */
export type WithApptuitMiddleware<Req, Ev, R> = ((request: Req, event: Ev) => Promise<R>) & {
  readonly registry: MetricsRegistry;
  readonly reporter: ApptuitReporter | undefined;
};

/**
 * Wraps a `middleware.ts` function on the edge runtime. As on Workers, no timer outlives
 * a request and many instances report the same series, so the reporter is created on
 * the first request, reports deltas, and flushes through `event.waitUntil` at most once
 * per `interval`. Request metrics, when on, time the middleware itself: `NextResponse.next()`
 * and a middleware that returns nothing count as `2xx`, a redirect as `3xx`.
 */
export function withApptuit<Req extends Request, Ev extends MiddlewareEvent | undefined, R extends MiddlewareResult>(
  middleware: (request: Req, event: Ev) => R | Promise<R>,
  options: NextOptions = {},
): WithApptuitMiddleware<Req, Ev, R> {
  // Next.js' edge sandbox stubs CompressionStream out; the core client then sends plain JSON.
  const reporting = new EdgeReporting<Record<string, string | undefined> | undefined>(options);
  const wrapped = (request: Req, event: Ev): Promise<R> =>
    reporting.handle(
      options.env ?? processEnv(), // used by the first request only, which sets the reporter up
      event && typeof event.waitUntil === "function" ? (promise) => event.waitUntil(promise) : undefined,
      request,
      () => middleware(request, event),
      (result) => statusOf(result),
    );
  Object.defineProperties(wrapped, {
    registry: { get: () => reporting.registry, enumerable: false },
    reporter: { get: () => reporting.reporter, enumerable: false },
  });
  return wrapped as WithApptuitMiddleware<Req, Ev, R>;
}

/** A returned response's status; nothing returned means "continue", i.e. 200. */
function statusOf(result: MiddlewareResult): number {
  const status = (result as { status?: unknown } | null | undefined)?.status;
  return typeof status === "number" ? status : 200;
}

/** `process.env` where the runtime has one (Next.js' edge sandbox does: the server's environment), else none. */
function processEnv(): Record<string, string | undefined> | undefined {
  const proc = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process;
  return proc?.env;
}
