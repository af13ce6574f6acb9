// startApptuit()/apptuitRegistry() (instrumentation.ts) in Node against the embedded backend;
// next.test.ts shows them in a real `next build` + `next start` app.
import { afterEach, describe, expect, it, vi } from "vitest";
import { edgeHarness } from "../support/edge-harness";
import { apptuitRegistry, startApptuit, type ApptuitProcess } from "../../src/platforms/next/index";

const TOKEN = "next-instrumentation-token";
const STATE = Symbol.for("apptuit.next.process");
let started: ApptuitProcess | undefined;

async function until(check: () => boolean): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error("timed out");
    await new Promise((r) => setTimeout(r, 10));
  }
}

function start(h: ReturnType<typeof edgeHarness>, interval = 50) {
  return startApptuit({
    env: { APPTUIT_API_TOKEN: TOKEN, APPTUIT_ENDPOINT: "http://backend.test" },
    clientOptions: { fetch: h.fetchFn, retry: 0 },
    onError: null,
    interval,
  });
}

afterEach(async () => {
  await started?.shutdown();
  vi.restoreAllMocks();
  delete (globalThis as Record<symbol, unknown>)[STATE];
});

describe("startApptuit (instrumentation.ts)", () => {
  it("one reporter per process: a second register() gets the running one; the registry is shared through globalThis", async () => {
    const h = edgeHarness(TOKEN);
    const timers = vi.spyOn(globalThis, "setInterval");
    started = start(h);
    expect(start(h)).toBe(started); // a second register(), or a reload of the module in dev
    expect(timers).toHaveBeenCalledTimes(1);
    expect(started.registry).toBe(apptuitRegistry());
    // A route handler's bundle has its own module scope but the same globalThis.
    const fromRoute = (globalThis as unknown as Record<symbol, { registry: unknown }>)[STATE]!.registry;
    expect(fromRoute).toBe(apptuitRegistry());

    apptuitRegistry().counter("orders", { kind: "route" }).inc(3);
    await until(() => h.sum("orders_count") === 3); // the timer, no request involved
    apptuitRegistry().counter("orders", { kind: "route" }).inc(2);
    await until(() => h.sum("orders_count") === 5);
    // deltas: each flush adds its own, none overwrites another's total (a timer tick between
    // the two increments, as on a loaded machine, writes a zero delta, which changes no sum)
    expect(
      h.backend
        .points()
        .filter((p) => p.metric === "orders_count" && p.value !== 0)
        .map((p) => p.value),
    ).toEqual([3, 2]);
  });

  it("shutdown() stops the timer after a last flush, once; a later start begins afresh", async () => {
    const h = edgeHarness(TOKEN);
    started = start(h, 60_000);
    apptuitRegistry().counter("jobs", { queue: "mail" }).inc(4);
    const first = started;
    await Promise.all([first.shutdown(), first.shutdown()]);
    expect(h.sum("jobs_count")).toBe(4);
    expect(h.puts).toHaveLength(1);
    apptuitRegistry().counter("jobs", { queue: "mail" }).inc();
    await new Promise((r) => setTimeout(r, 100));
    expect(h.puts).toHaveLength(1); // stopped: nothing more is sent

    started = start(h, 60_000);
    expect(started).not.toBe(first);
    await started.shutdown();
    expect(h.sum("jobs_count")).toBe(5);
  });

  it("a missing token is reported once and does not throw: the server starts without metrics", () => {
    const errors: unknown[][] = [];
    started = startApptuit({ env: {}, onError: (...args) => void errors.push(args) });
    expect(started.reporter).toBeUndefined();
    expect(errors).toHaveLength(1);
    expect(String(errors[0]![3])).toMatch(/token/i);
    expect(startApptuit()).toBe(started);
  });
});
