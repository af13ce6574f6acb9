import type { MetricsRegistry } from "../../registry/registry";
import type { ApptuitReporter } from "../../reporter/reporter";
import type { EdgeOptions } from "../shared/edge-options";
import { EdgeReporting } from "../shared/edge-reporting";
import { backgroundTimers, onEdgeRuntime, processEnv } from "./runtime";
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
 * Wraps a `proxy.ts` function (Node runtime) or a `middleware.ts` function (edge runtime).
 * Many instances may report the same series, so the reporter is created on the first
 * request, reports deltas, and flushes through `event.waitUntil` at most once per
 * `interval`. On Node, where timers outlive a request (and wherever no `waitUntil` is
 * given), an unref'd timer also flushes once per `interval`, so the last requests' values
 * do not wait for the next request. Request metrics, when on, time the function itself:
 * `NextResponse.next()` and returning nothing count as `2xx`, a redirect as `3xx`.
 */
export function withApptuit<Req extends Request, Ev extends MiddlewareEvent | undefined, R extends MiddlewareResult>(
  middleware: (request: Req, event: Ev) => R | Promise<R>,
  options: NextOptions = {},
): WithApptuitMiddleware<Req, Ev, R> {
  // Next.js' edge sandbox stubs CompressionStream out; the core client then sends plain JSON.
  const reporting = new EdgeReporting<Record<string, string | undefined> | undefined>(options);
  const wrapped = (request: Req, event: Ev): Promise<R> => {
    const hasWaitUntil = !!event && typeof event.waitUntil === "function";
    const handled = reporting.handle(
      options.env ?? processEnv(), // used by the first request only, which sets the reporter up
      hasWaitUntil ? (promise) => event.waitUntil(promise) : undefined,
      request,
      () => middleware(request, event),
      (result) => statusOf(result),
    );
    if (!hasWaitUntil || !onEdgeRuntime()) reporting.tickEvery(backgroundTimers);
    return handled;
  };
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
