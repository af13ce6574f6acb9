import type { Tags } from "../../core/types";
import { MAX_NAME_LENGTH } from "../../core/wire-rules";
import { defaultRoute, methodTag, statusClass } from "./route";

/** What request metrics need from a registry (a `MetricsRegistry` has it). */
export interface RequestMetricsRegistry {
  counter(name: string, tags?: Tags): { inc(n?: number): void };
  timer(name: string, tags?: Tags): { update(durationMs: number): void };
}

export interface RequestMetricsOptions {
  /**
   * Base name: a counter `<name>.requests` (reported as `<name>.requests.count`) and a
   * timer `<name>.latency` in milliseconds. Default `"http.server"`.
   */
  name?: string;
  /**
   * The `route` tag of a request. Default: the URL path with id-like segments (numbers,
   * UUIDs, hashes) replaced by `:id`. Return a route pattern, never raw user input.
   */
  route?: (request: Request) => string;
  /** Distinct routes per isolate; later ones (and routes over 1,024 characters) are tagged `other` (default 100). */
  maxRoutes?: number;
}

/** `requestMetrics: true` or its options → options, `false`/absent → undefined. */
export function requestMetricsOptions(option: boolean | RequestMetricsOptions | undefined): RequestMetricsOptions | undefined {
  if (option === undefined || option === false) return undefined;
  return option === true ? {} : option;
}

interface Handles {
  requests: { inc(n?: number): void };
  latency: { update(durationMs: number): void };
}

/**
 * Counts requests and times them, tagged `route`, `method` and `status` (`2xx` … `5xx`).
 * Handles are cached per tag combination so that a request costs one map lookup.
 */
export class RequestMetrics {
  readonly #registry: RequestMetricsRegistry;
  readonly #name: string;
  readonly #route: (request: Request) => string;
  readonly #maxRoutes: number;
  readonly #routes = new Set<string>();
  readonly #handles = new Map<string, Handles>();
  readonly #clock: () => number;

  constructor(registry: RequestMetricsRegistry, options: RequestMetricsOptions = {}, clock: () => number = monotonic()) {
    this.#registry = registry;
    this.#name = options.name ?? "http.server";
    this.#route = options.route ?? defaultRoute;
    this.#maxRoutes = options.maxRoutes ?? 100;
    this.#clock = clock;
  }

  /**
   * Runs `handle`, then records it with the status of its response (`status(result)`).
   * A throw is recorded as `5xx` and rethrown. A failure of the metrics themselves never
   * reaches the caller.
   */
  async measure<R>(request: Request, handle: () => R | Promise<R>, status: (result: R) => number): Promise<R> {
    const start = this.#clock();
    let result: R;
    try {
      result = await handle();
    } catch (error) {
      this.#safeRecord(request, 500, start);
      throw error;
    }
    let code = 500;
    try {
      code = status(result);
    } catch {
      // an odd result shape must not break the response
    }
    this.#safeRecord(request, code, start);
    return result;
  }

  /** Records one finished request. */
  record(request: Request, status: number, durationMs: number): void {
    const route = this.#boundedRoute(request);
    const method = methodTag(request.method);
    const klass = statusClass(status);
    const key = `${route}\u0000${method}\u0000${klass}`;
    let handles = this.#handles.get(key);
    if (handles === undefined) {
      const tags = { route, method, status: klass };
      handles = {
        requests: this.#registry.counter(`${this.#name}.requests`, tags),
        latency: this.#registry.timer(`${this.#name}.latency`, tags),
      };
      this.#handles.set(key, handles);
    }
    handles.requests.inc();
    handles.latency.update(Math.max(0, durationMs));
  }

  #safeRecord(request: Request, status: number, start: number): void {
    try {
      this.record(request, status, this.#clock() - start);
    } catch {
      // e.g. the registry's series bound: the request itself must still succeed
    }
  }

  #boundedRoute(request: Request): string {
    let route: string;
    try {
      route = this.#route(request) || "/";
    } catch {
      route = "unknown";
    }
    // A tag value the write API would refuse must not cost the request its metrics.
    if (typeof route !== "string" || route.length > MAX_NAME_LENGTH) route = "other";
    if (this.#routes.has(route)) return route;
    if (this.#routes.size >= this.#maxRoutes) return "other";
    this.#routes.add(route);
    return route;
  }
}

function monotonic(): () => number {
  const perf = globalThis.performance;
  return perf !== undefined && typeof perf.now === "function" ? () => perf.now() : Date.now;
}
