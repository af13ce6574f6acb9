// What the Workers and Next.js adapter tests share: the embedded backend behind a `fetch`
// that records every put, a `waitUntil` that collects the promises it is handed, and the
// sum of a metric's stored values.
import { vi } from "vitest";
import { createBackend } from "../../src/backend/index";

export function edgeHarness(token: string) {
  const backend = createBackend({ token });
  const puts: Request[] = [];
  const fetchFn = (async (input: RequestInfo | URL, init?: RequestInit) => {
    const request = new Request(input, init);
    if (new URL(request.url).pathname.endsWith("/api/put")) puts.push(request.clone());
    return backend.fetch(request);
  }) as typeof fetch;
  const pending: Promise<unknown>[] = [];
  const waitUntil = vi.fn((p: Promise<unknown>) => void pending.push(p));
  const settle = async () => {
    while (pending.length) await pending.shift();
  };
  const sum = (metric: string, tags: Record<string, string> = {}) =>
    backend
      .points()
      .filter((p) => p.metric === metric && Object.entries(tags).every(([k, v]) => p.tags[k] === v))
      .reduce((t, p) => t + p.value, 0);
  return { backend, puts, fetchFn, waitUntil, settle, sum };
}
