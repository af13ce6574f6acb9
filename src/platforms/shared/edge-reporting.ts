import { ApptuitConfigError } from "../../core/errors/config-error";
import { MetricsRegistry } from "../../registry/registry";
import { ApptuitReporter } from "../../reporter/reporter";
import type { ReporterPlatform } from "../../reporter/platform";
import { consoleErrorHandler } from "../../reporter/error-handler";
import { edgeReporterOptions, stringEnv, type EdgeOptions, type EdgeReporterOptions } from "./edge-options";
import { RequestMetrics, requestMetricsOptions } from "./request-metrics";
import { FlushThrottle } from "./throttle";

/** `ctx.waitUntil` / `event.waitUntil`: keeps the isolate alive for a promise after the response. */
export type WaitUntil = (promise: Promise<unknown>) => void;

export type ReporterAdapter<Env> = (reporter: EdgeReporterOptions, options: EdgeOptions, env: Env) => void;

interface Active {
  reporter: ApptuitReporter;
  throttle: FlushThrottle;
  requests: RequestMetrics | undefined;
}

/**
 * The per-isolate state of an edge adapter. Nothing happens at construction (the
 * wrapper is built at module scope, where Workers forbid I/O and timers); the first
 * invocation resolves the options against its `env` and creates the reporter, which
 * then lives as long as the isolate.
 */
export class EdgeReporting<Env> {
  readonly #options: EdgeOptions | ((env: Env) => EdgeOptions);
  #registry: MetricsRegistry | undefined;
  /** undefined: not set up yet; null: set up failed (reported once), metrics are off. */
  #active: Active | null | undefined;
  /** The interval timer of `tickEvery`, once armed. */
  #ticker: unknown;

  readonly #adapt: ReporterAdapter<Env> | undefined;

  /** `adapt`: a platform's last word on the reporter's options (e.g. where Workers send). */
  constructor(options: EdgeOptions | ((env: Env) => EdgeOptions), adapt?: ReporterAdapter<Env>) {
    this.#options = options;
    this.#adapt = adapt;
    if (typeof options !== "function") this.#registry = options.registry;
  }

  /** The registry reported: the one passed in the options, or one made on first use. */
  get registry(): MetricsRegistry {
    return (this.#registry ??= new MetricsRegistry());
  }

  /** The reporter of this isolate, once an invocation has created it. */
  get reporter(): ApptuitReporter | undefined {
    return this.#active ? this.#active.reporter : undefined;
  }

  /**
   * Runs one request: records request metrics around `run` if enabled, then starts a
   * flush through `waitUntil` when the throttle allows. Errors of `run` propagate
   * unchanged; nothing of the metrics side does.
   */
  async handle<R>(
    env: Env,
    waitUntil: WaitUntil | undefined,
    request: Request,
    run: () => R | Promise<R>,
    status: (result: R) => number,
  ): Promise<R> {
    const active = this.#setup(env);
    try {
      return active?.requests ? await active.requests.measure(request, run, status) : await run();
    } finally {
      if (active?.throttle.take()) this.#flush(active, waitUntil);
    }
  }

  /** Runs `run`, then always flushes (a cron trigger is the only tick a quiet Worker gets). */
  async always<R>(env: Env, waitUntil: WaitUntil | undefined, run: () => R | Promise<R>): Promise<R> {
    const active = this.#setup(env);
    try {
      return await run();
    } finally {
      if (active) {
        active.throttle.mark();
        this.#flush(active, waitUntil);
      }
    }
  }

  /**
   * Where timers outlive a request (Next.js on Node) or no `waitUntil` exists: also ask the
   * throttle every `interval` ms, so what the last requests recorded is sent without waiting
   * for the next request. Armed once, after the first invocation set the reporter up; the
   * throttle keeps requests and ticks together to one flush per interval.
   */
  tickEvery(timers: ReporterPlatform): void {
    const active = this.#active;
    if (!active || this.#ticker !== undefined || active.throttle.interval <= 0) return;
    this.#ticker = timers.setInterval(() => {
      if (active.throttle.take()) this.#flush(active, undefined);
    }, active.throttle.interval);
  }

  #flush(active: Active, waitUntil: WaitUntil | undefined): void {
    // flush() never rejects by contract; the catch keeps an unexpected bug out of the handler.
    const promise = active.reporter.flush().then(
      () => undefined,
      () => undefined,
    );
    try {
      waitUntil?.(promise);
    } catch {
      // a context that no longer accepts work: the flush still runs as far as it can
    }
  }

  #setup(env: Env): Active | null {
    if (this.#active !== undefined) return this.#active;
    let options: EdgeOptions | undefined;
    try {
      options = typeof this.#options === "function" ? this.#options(env) : this.#options;
      if (options.registry !== undefined) this.#registry = options.registry;
      const registry = this.registry;
      const reporterOptions = edgeReporterOptions(options, registry, stringEnv(env));
      this.#adapt?.(reporterOptions, options, env);
      const reporter = new ApptuitReporter(reporterOptions);
      const interval = options.interval ?? 10_000;
      if (typeof interval !== "number" || !(interval >= 0) || !Number.isFinite(interval)) {
        throw new ApptuitConfigError(`interval must be a non-negative number of ms, got ${String(interval)}`);
      }
      const now = options.now ?? Date.now;
      const metrics = requestMetricsOptions(options.requestMetrics);
      this.#active = {
        reporter,
        throttle: new FlushThrottle(interval, now),
        requests: metrics === undefined ? undefined : new RequestMetrics(registry, metrics),
      };
    } catch (error) {
      // A missing token must not take the application down: report once, then run
      // without metrics for the life of this isolate (its env cannot change).
      this.#active = null;
      const onError = options?.onError === undefined ? consoleErrorHandler() : options.onError;
      try {
        onError?.(undefined, 0, 0, [error]);
      } catch {
        // the user's handler failing is not the request's problem
      }
    }
    return this.#active;
  }
}
