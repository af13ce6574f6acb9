import type { MetricsRegistry } from "../../registry/registry";
import type { ApptuitReporter } from "../../reporter/reporter";
import type { EdgeOptions } from "../shared/edge-options";
import { EdgeReporting, type ReporterAdapter } from "../shared/edge-reporting";
import { stringEnv } from "../shared/edge-options";
import type { AggregateOptions } from "../../relay/options";
import { durableSender } from "./durable/durable-sender";
import { aggregatorNamespace, shardCount } from "./durable/binding";
import type { EnvOf, WorkersContext, WorkersHandler, WorkersScheduledController } from "./types";

// Why the Worker adapter looks the way it does:
//  - Timers die with the request: an interval started in a handler stops when the
//    response is sent, so there is no background reporter. Each invocation asks a
//    throttle instead, and the flush runs in `ctx.waitUntil`, after the response.
//  - Many isolates serve one Worker at once, each with its own module-scope registry:
//    cumulative totals under the same tags would overwrite one another in the backend,
//    so values are reported as deltas (summed at query time).
//  - `env` exists only inside a handler, so the reporter is created on the first
//    invocation and kept for the life of the isolate; importing does nothing.

export interface WorkersOptions extends EdgeOptions {
  /**
   * Name of the Durable Object binding of the exported `ApptuitAggregator` class (e.g.
   * `"APPTUIT_AGGREGATOR"`): each isolate then sends its deltas and sketches there instead
   * of to the write API, so counts and percentiles are exact across all isolates
   * (docs/durable-objects.md). Default: none (each isolate writes its own deltas).
   */
  aggregator?: string;
  /** Objects the series are spread over (default 8); the same number as the relay's if both share the binding. */
  shards?: number;
  /** Window settings of the objects (as the relay's `aggregate`). */
  aggregate?: AggregateOptions;
}

/** With `aggregator`: the reporter collects kinds and deltas and sends them to the objects. */
const toAggregator: ReporterAdapter<unknown> = (reporter, options, env) => {
  const { aggregator, shards: shardsGiven, aggregate } = options as WorkersOptions;
  if (aggregator === undefined) return;
  const namespace = aggregatorNamespace(env, aggregator);
  const shards = shardCount(shardsGiven);
  reporter.form = "deltas";
  reporter.client = durableSender(namespace, shards, stringEnv(env), aggregate);
};

/**
 * What `withApptuit` returns: the handler's other members as they were, `fetch` (when the
 * handler has one) and `scheduled` wrapped, plus the registry and reporter it reports with.
 */
export type WithApptuit<H> = Omit<H, "fetch" | "scheduled"> &
  (H extends { fetch: unknown } ? { fetch(request: Request, env: EnvOf<H>, ctx: WorkersContext): Promise<Response> } : unknown) & {
    scheduled(controller: WorkersScheduledController, env: EnvOf<H>, ctx: WorkersContext): Promise<void>;
    /** The registry reported (yours, or one made for you). */
    readonly registry: MetricsRegistry;
    /** The reporter of this isolate, after its first invocation. */
    readonly reporter: ApptuitReporter | undefined;
  };

/** Handler names of module Workers other than the two wrapped, passed through as they are. */
const OTHER_HANDLERS = ["queue", "tail", "tailStream", "trace", "email", "test"] as const;

/**
 * Wraps a module Worker's default export: `fetch` (request metrics, throttled flush) and
 * `scheduled` (always flushes; added if absent so that a cron trigger can drive flushes
 * of a quiet Worker). Token, tags and endpoint come from `env` (`APPTUIT_API_TOKEN`,
 * `APPTUIT_TAGS`, `APPTUIT_ENDPOINT`) unless the options give them; `options` may be a
 * function of `env`, called once per isolate.
 */
export function withApptuit<H extends WorkersHandler<any>>(
  handler: H,
  options: WorkersOptions | ((env: EnvOf<H>) => WorkersOptions) = {},
): WithApptuit<H> {
  const reporting = new EdgeReporting<EnvOf<H>>(options, toAggregator);
  const wrapped: Record<string, unknown> = { ...(handler as object) };
  for (const name of OTHER_HANDLERS) {
    const member = (handler as Record<string, unknown>)[name];
    if (typeof member === "function" && !(name in wrapped)) wrapped[name] = member.bind(handler);
  }

  if (typeof handler.fetch === "function") {
    const fetch = handler.fetch;
    wrapped.fetch = (request: Request, env: EnvOf<H>, ctx: WorkersContext): Promise<Response> =>
      reporting.handle(
        env,
        waitUntilOf(ctx),
        request,
        () => fetch.call(handler, request, env, ctx),
        (response) => response.status,
      );
  }

  const scheduled = handler.scheduled;
  wrapped.scheduled = (controller: WorkersScheduledController, env: EnvOf<H>, ctx: WorkersContext): Promise<void> =>
    reporting.always(env, waitUntilOf(ctx), async () => {
      if (typeof scheduled === "function") await scheduled.call(handler, controller, env, ctx);
    });

  Object.defineProperties(wrapped, {
    registry: { get: () => reporting.registry, enumerable: false },
    reporter: { get: () => reporting.reporter, enumerable: false },
  });
  return wrapped as unknown as WithApptuit<H>;
}

function waitUntilOf(ctx: WorkersContext | undefined): ((promise: Promise<unknown>) => void) | undefined {
  return ctx && typeof ctx.waitUntil === "function" ? (promise) => ctx.waitUntil(promise) : undefined;
}
