// Reading and feeding the VictoriaMetrics that test/e2e/victoria-metrics.ts starts (a
// global setup; a project using it gets the URLs through `inject("victoriaMetrics")`).
import type { Backend } from "../../src/backend/index";

export interface VmSeries {
  metric: Record<string, string>;
  values: number[];
  timestamps: number[];
}

/** Every sample of the series matching `selector`, one entry per series. */
export async function vmExport(httpUrl: string, selector: string): Promise<VmSeries[]> {
  const text = await (await fetch(`${httpUrl}/api/v1/export?match[]=${encodeURIComponent(selector)}&nocache=1`)).text();
  return text
    .split("\n")
    .filter(Boolean)
    .map((line) => JSON.parse(line) as VmSeries);
}

/** Reads until `complete` holds or `timeoutMs` pass (writes become visible a little after force_flush). */
export async function settledVm<T>(
  httpUrl: string,
  read: () => Promise<T>,
  complete: (value: T) => boolean,
  timeoutMs = 15_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    await fetch(`${httpUrl}/internal/force_flush`);
    const value = await read();
    if (complete(value) || Date.now() > deadline) return value;
    await new Promise((r) => setTimeout(r, 200));
  }
}

/**
 * A write API that stores each `/api/put` in the embedded backend AND in VictoriaMetrics
 * (same body, same encoding): it answers the embedded backend's status when both took
 * it, else the failing one's, so the writer retries exactly as against one store.
 */
export function teeToVictoria(backend: Backend, putUrl: string): (request: Request) => Promise<Response> {
  return async (request) => {
    if (new URL(request.url).pathname !== "/api/put") return backend.fetch(request);
    const body = new Uint8Array(await request.arrayBuffer());
    const headers: Record<string, string> = {};
    for (const name of ["content-type", "content-encoding"]) {
      const value = request.headers.get(name);
      if (value !== null) headers[name] = value;
    }
    const [embedded, vm] = await Promise.all([
      backend.fetch(new Request(request.url, { method: "POST", headers: request.headers, body })),
      fetch(`${putUrl}/api/put`, { method: "POST", headers, body }),
    ]);
    if (!vm.ok) return new Response(`VictoriaMetrics: ${vm.status} ${await vm.text()}`, { status: vm.status >= 500 ? vm.status : 502 });
    return embedded;
  };
}
