// The reporter against the embedded backend (test/support), real client and real registry.
import { describe, expect, it } from "vitest";
import { Apptuit } from "../../../src/core/client";
import { MetricsRegistry } from "../../../src/registry";
import { ApptuitReporter } from "../../../src/reporter";
import { useBackend } from "../../support/msw";
import { accounted, manualClock } from "./support";

const TOKEN = "backend-token-0123456789";
const { backend, baseUrl } = useBackend({ token: TOKEN, maxPoints: 25 });

const client = (token = TOKEN) =>
  new Apptuit({ token, endpoint: baseUrl, sanitize: "apptuit", globalTags: { host: "h" }, retry: { limit: 2, delay: () => 1 } });

describe("reporter → embedded backend", () => {
  it("delta counts through 413 splits, client retries and outages sum exactly at the backend", async () => {
    const clock = manualClock();
    const registry = new MetricsRegistry({ now: clock.now });
    const counters = Array.from({ length: 20 }, (_, i) => registry.counter("requests", { route: `/r${i}` }));
    const reporter = new ApptuitReporter({ registry, client: client(), temporality: "delta", now: clock.now, onError: null });
    let incs = 0;
    for (let round = 0; round < 6; round++) {
      for (const [i, c] of counters.entries()) {
        c.inc(i + round);
        incs += i + round;
      }
      // Round 1: two 503s, absorbed by the client's retries. Round 3: a longer outage, absorbed by the reporter's buffer.
      if (round === 1) backend.failNext({ status: 503, times: 2, path: "/api/put" });
      if (round === 3) backend.failNext({ status: 503, times: 3, path: "/api/put" });
      clock.advance(10_000);
      await reporter.flush();
      expect(accounted(reporter.stats())).toBe(true);
    }
    const stored = backend.points().filter((p) => p.metric === "requests.count");
    expect(stored.reduce((s, p) => s + p.value, 0)).toBe(incs);
    expect(reporter.stats()).toMatchObject({ buffered: 0, dropped: 0, rejected: 0 });
    expect(backend.points()).toHaveLength(reporter.stats().delivered);
  });

  it("a refused token is reported and the points given up", async () => {
    const registry = new MetricsRegistry();
    registry.counter("x", { a: "b" }).inc();
    const errors: unknown[] = [];
    const reporter = new ApptuitReporter({ registry, client: client("wrong-token-000"), onError: (status) => errors.push(status) });
    const result = await reporter.flush();
    expect(errors).toEqual([401]);
    expect(result).toMatchObject({ delivered: 0, rejected: result.recorded, buffered: 0 });
    expect(backend.points()).toHaveLength(0);
  });
});
