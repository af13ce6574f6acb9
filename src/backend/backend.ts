import { MAX_POINTS_PER_REQUEST } from "../core/wire-rules";
import { emptyStats, type BackendContext } from "./context";
import { route, type RouterState } from "./router";
import { Store } from "./store";
import type { Backend, BackendOptions, InjectedFailure } from "./types";

const DEFAULT_MAX_BODY_BYTES = 32 * 1024 * 1024;
const DEFAULT_LOOKBACK_SECONDS = 300;

/**
 * A local, in-memory Apptuit: `/api/put`, `/api/query` (a documented subset of the query
 * language) and a Prometheus selector subset, on web-standard Request/Response only. The
 * same object serves msw handlers in tests, the demo's node:http bridge and browser tests.
 */
export function createBackend(options: BackendOptions = {}): Backend {
  const maxPoints = positive(options.maxPoints, MAX_POINTS_PER_REQUEST, "maxPoints");
  const maxBodyBytes = positive(options.maxBodyBytes, DEFAULT_MAX_BODY_BYTES, "maxBodyBytes");
  const lookbackDelta = positive(options.lookbackDelta, DEFAULT_LOOKBACK_SECONDS, "lookbackDelta");
  const ctx: BackendContext = {
    store: new Store(),
    stats: emptyStats(),
    maxPoints,
    maxBodyBytes,
    lookbackDelta,
    now: options.now ?? (() => Date.now()),
  };
  const state: RouterState = { ctx, token: options.token, cors: options.cors ?? false, failures: [] };

  return {
    fetch: (request) => route(request, state),
    points: () => ctx.store.points(),
    reset() {
      ctx.store.clear();
      ctx.stats = emptyStats();
      state.failures.length = 0;
    },
    stats: () => ({ ...ctx.stats }),
    failNext(failure: InjectedFailure) {
      if (!Number.isInteger(failure.status) || failure.status < 200 || failure.status > 599) {
        throw new RangeError(`failNext: status must be an HTTP status from 200 to 599, got ${failure.status}`);
      }
      state.failures.push({ ...failure });
    },
  };
}

function positive(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (!(value > 0)) throw new RangeError(`createBackend: ${name} must be a positive number, got ${value}`);
  return value;
}
