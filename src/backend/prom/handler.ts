import { readBody } from "../body";
import type { BackendContext } from "../context";
import { json } from "../http";
import { lowerBound, type Series } from "../store";
import { parseTimeParam } from "../time";
import { PromError } from "./prom-error";
import { parseSelector, type Selector } from "./selector";

/** Prometheus refuses range queries with more steps than this per series. */
const MAX_STEPS = 11_000;

/**
 * `GET|POST /api/v1/query_range` and `/api/v1/query` for the selector subset in selector.ts,
 * with Prometheus' evaluation rule: at each step `t`, a series' value is its latest sample
 * in `(t - lookbackDelta, t]`. With `step` equal to the write interval and aligned starts,
 * the stored points come back unchanged.
 */
export async function handlePromQuery(request: Request, ctx: BackendContext, instant: boolean): Promise<Response> {
  const params = await readParams(request, ctx.maxBodyBytes);
  const query = params.get("query");
  if (query === null || query.trim() === "") throw new PromError("missing query parameter");
  const selector = parseSelector(query);
  const series = ctx.store.metric(selector.metric).filter((s) => matches(s, selector));
  const lookbackMs = ctx.lookbackDelta * 1000;

  if (instant) {
    const time = optionalTime(params, "time") ?? ctx.now();
    const result = series.flatMap((s) => {
      const value = sampleAt(s, time, lookbackMs);
      return value === undefined ? [] : [{ metric: labels(s), value: [time / 1000, format(value)] }];
    });
    return success({ resultType: "vector", result });
  }

  const start = requiredTime(params, "start");
  const end = requiredTime(params, "end");
  if (end < start) throw new PromError("end timestamp must not be before start time");
  const step = parseStep(params.get("step"));
  if ((end - start) / step > MAX_STEPS) {
    throw new PromError(
      `exceeded maximum resolution of ${MAX_STEPS} points per timeseries. Try decreasing the query resolution (?step=XX)`,
    );
  }
  const result = series.flatMap((s) => {
    const values: [number, string][] = [];
    for (let t = start; t <= end; t += step) {
      const value = sampleAt(s, t, lookbackMs);
      if (value !== undefined) values.push([t / 1000, format(value)]);
    }
    return values.length === 0 ? [] : [{ metric: labels(s), values }];
  });
  return success({ resultType: "matrix", result });
}

async function readParams(request: Request, maxBytes: number): Promise<URLSearchParams> {
  const params = new URL(request.url).searchParams;
  const type = request.headers.get("content-type") ?? "";
  if (request.method === "POST" && type.startsWith("application/x-www-form-urlencoded")) {
    for (const [k, v] of new URLSearchParams(await readBody(request, maxBytes))) params.append(k, v);
  }
  return params;
}

function matches(series: Series, selector: Selector): boolean {
  return selector.matchers.every(({ key, op, value }) => {
    // Prometheus: a missing label equals the empty string.
    const actual = Object.hasOwn(series.tags, key) ? series.tags[key] : "";
    return op === "=" ? actual === value : actual !== value;
  });
}

function sampleAt(series: Series, timeMs: number, lookbackMs: number): number | undefined {
  const at = lowerBound(series.times, timeMs + 1) - 1;
  if (at < 0 || series.times[at]! <= timeMs - lookbackMs) return undefined;
  return series.values[at];
}

function labels(series: Series): Record<string, string> {
  return Object.fromEntries([["__name__", series.metric], ...Object.entries(series.tags)]);
}

function format(value: number): string {
  return Number.isFinite(value) ? String(value) : value > 0 ? "+Inf" : value < 0 ? "-Inf" : "NaN";
}

function optionalTime(params: URLSearchParams, name: string): number | undefined {
  const text = params.get(name);
  if (text === null || text === "") return undefined;
  const ms = parseTimeParam(text);
  if (ms === undefined)
    throw new PromError(`invalid parameter "${name}": cannot parse ${JSON.stringify(text.slice(0, 40))} to a valid timestamp`);
  return ms;
}

function requiredTime(params: URLSearchParams, name: string): number {
  const ms = optionalTime(params, name);
  if (ms === undefined) throw new PromError(`missing parameter "${name}"`);
  return ms;
}

const STEP_UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** Seconds as a number ("15", "0.5") or a duration ("15s", "1m"). Returns ms. */
function parseStep(text: string | null): number {
  if (text === null || text === "") throw new PromError('missing parameter "step"');
  const number = /^[0-9]+(\.[0-9]+)?$/.test(text) ? Number(text) * 1000 : undefined;
  const duration = /^([0-9]{1,9})(ms|s|m|h|d|w)$/.exec(text);
  const ms = number ?? (duration ? Number(duration[1]) * STEP_UNITS[duration[2]!]! : undefined);
  if (ms === undefined)
    throw new PromError(`invalid parameter "step": cannot parse ${JSON.stringify(text.slice(0, 40))} to a valid duration`);
  if (!(ms > 0)) {
    throw new PromError("zero or negative query resolution step widths are not accepted. Try a positive integer");
  }
  return ms;
}

function success(data: unknown): Response {
  return json({ status: "success", data });
}
