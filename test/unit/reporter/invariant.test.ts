import { describe, expect, it } from "vitest";
import { MetricsRegistry } from "../../../src/registry";
import { ApptuitDroppedError, ApptuitReporter } from "../../../src/reporter";
import { accounted, manualClock, type Reply, testClient, useScriptedServer } from "./support";

const server = useScriptedServer();

type Call = { status: number | undefined; successful: number; failed: number; errors: unknown[] };

const name = (e: unknown) => (e as { name?: string } | undefined)?.name;

describe("reporter accounting under mixed faults", () => {
  it("recorded = delivered + rejected + dropped + buffered, point for point, nothing delivered twice", async () => {
    const clock = manualClock();
    const registry = new MetricsRegistry({ now: clock.now });
    const routes = ["/a", "/b", "/c"].map((route) => registry.counter("hits", { route }));
    const latency = registry.timer("latency", { route: "/a" });
    // A Collectable around the registry that also yields one invalid point per collection.
    const source = {
      collect: (options?: Parameters<MetricsRegistry["collect"]>[0]) => [
        ...registry.collect(options),
        { metric: "broken.value", tags: { why: "nan" }, value: Number.NaN },
      ],
    };
    const calls: Call[] = [];
    const reporter = new ApptuitReporter({
      registry: source,
      client: testClient({ sanitize: "apptuit", maxPointsPerRequest: 40 }),
      temporality: "delta",
      tags: { app: "shop" },
      retryBuffer: { maxPoints: 60 },
      now: clock.now,
      onError: (status, successful, failed, errors) => calls.push({ status, successful, failed, errors }),
    });

    // One list of replies per flush (a flush may make several requests; 413 splits add some).
    const plan: Reply[][] = [
      [{ kind: "ok" }],
      [{ kind: "status", status: 503 }],
      [{ kind: "network" }],
      [{ kind: "partial", reject: (r) => r.metric.startsWith("latency.") }],
      [{ kind: "status", status: 401 }, { kind: "ok" }],
      [{ kind: "status", status: 413 }, { kind: "ok" }, { kind: "status", status: 502 }],
      [{ kind: "status", status: 429, headers: { "retry-after": "0" } }],
      [{ kind: "status", status: 500 }],
      [{ kind: "status", status: 504 }],
      [{ kind: "ok" }],
      [
        { kind: "status", status: 413 },
        { kind: "partial", reject: (r) => r.metric === "hits.count" && r.tags.route === "/b" },
        { kind: "ok" },
      ],
      [],
      [],
    ];
    let incs = 0;
    for (const [i, replies] of plan.entries()) {
      for (const [j, counter] of routes.entries()) {
        counter.inc(i + j + 1);
        incs += i + j + 1;
      }
      latency.update(10 + i);
      server.script = [...replies];
      server.fallback = { kind: "ok" };
      clock.advance(10_000);
      const result = await reporter.flush();
      expect(result.recorded + result.retried).toBe(result.delivered + result.rejected + result.dropped + result.buffered);
      expect(accounted(reporter.stats())).toBe(true);
    }

    const stats = reporter.stats();
    expect(stats.buffered).toBe(0); // the last flushes succeeded
    expect(stats.dropped).toBeGreaterThan(0);
    expect(stats.rejected).toBeGreaterThan(0);
    expect(calls.map((c) => name(c.errors[0]))).toEqual(
      expect.arrayContaining([
        "ApptuitValidationError",
        "ApptuitAuthError",
        "ApptuitNetworkError",
        "ApptuitHttpError",
        "ApptuitDroppedError",
      ]),
    );
    expect(calls.map((c) => c.status)).toEqual(expect.arrayContaining([400, 401, 502, 429, 500, 503, 504]));

    // Delivered: exactly what the server stored, each series and instant once.
    expect(server.stored).toHaveLength(stats.delivered);
    const keys = server.stored.map((r) => JSON.stringify([r.metric, Object.entries(r.tags).sort(), r.timestamp]));
    expect(new Set(keys).size).toBe(keys.length);

    // Rejected and dropped: every point of them was reported to the error handler.
    const isFinal = (c: Call) => c.status === 400 || c.status === 401 || name(c.errors[0]) === "ApptuitValidationError";
    expect(calls.filter(isFinal).reduce((s, c) => s + c.failed, 0)).toBe(stats.rejected);
    const drops = calls.filter((c) => c.errors[0] instanceof ApptuitDroppedError);
    expect(drops.reduce((s, c) => s + c.failed, 0)).toBe(stats.dropped);
    // Every hit is delivered, or was in a dropped or rejected point.
    const deliveredHits = server.stored.filter((r) => r.metric === "hits.count").reduce((s, r) => s + r.value, 0);
    expect(deliveredHits).toBeLessThanOrEqual(incs);
    // The reporter's own count of drops reached the server.
    const droppedMeta = server.stored.filter((r) => r.metric === "apptuit.reporter.send.dropped.count").reduce((s, r) => s + r.value, 0);
    expect(droppedMeta).toBeGreaterThan(0);
  });
});
