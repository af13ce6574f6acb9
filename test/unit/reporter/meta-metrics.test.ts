import { describe, expect, it } from "vitest";
import { MetricsRegistry } from "../../../src/registry";
import { ApptuitReporter } from "../../../src/reporter";
import { FakeCounters, manualClock, testClient, useScriptedServer } from "./support";

const server = useScriptedServer();

const META = (field: string) => `apptuit.reporter.send.${field}`;

function metaOf(rows: { metric: string; value: number }[]): Record<string, number> {
  return Object.fromEntries(
    rows.filter((r) => r.metric.startsWith("apptuit.reporter.")).map((r) => [r.metric.replace("apptuit.reporter.send.", ""), r.value]),
  );
}

describe("reporter meta metrics", () => {
  it("cumulative: totals of points sent, stored, failed, dropped, and send time in seconds", async () => {
    const clock = manualClock();
    server.during = () => clock.advance(250); // every request takes 250 ms on the reporter's clock
    const registry = new FakeCounters();
    registry.inc("a");
    registry.inc("b");
    const reporter = new ApptuitReporter({ registry, client: testClient({ sanitize: "apptuit" }), now: clock.now, onError: null });

    await reporter.flush(); // 11 points (2 + 9 meta) stored in one request
    expect(metaOf(server.requests[0]!)).toEqual({
      "total.count": 0,
      "successful.count": 0,
      "failed.count": 0,
      "dropped.count": 0,
      "time.count": 0,
      "time.sum": 0,
      "time.avg": 0,
      "time.min": 0,
      "time.max": 0,
    });

    server.script = [{ kind: "status", status: 503 }];
    await reporter.flush(); // reports the first flush, then fails with its own 11 points
    expect(metaOf(server.requests[1]!)).toMatchObject({
      "total.count": 11,
      "successful.count": 11,
      "failed.count": 0,
      "time.count": 1,
      "time.sum": 0.25,
      "time.max": 0.25,
    });

    await reporter.flush(); // retried 11 + 11 fresh
    const third = server.requests[2]!.slice(11); // after the retried rows
    expect(metaOf(third)).toEqual({
      "total.count": 22,
      "successful.count": 11,
      "failed.count": 11,
      "dropped.count": 0,
      "time.count": 2,
      "time.sum": 0.5,
      "time.avg": 0.25,
      "time.min": 0.25,
      "time.max": 0.25,
    });
  });

  it("carry the prefix and the reporter's tags, like every other point", async () => {
    const reporter = new ApptuitReporter({
      registry: new FakeCounters(),
      client: testClient({ sanitize: "apptuit" }),
      prefix: "svc.",
      tags: { team: "core" },
      onError: null,
    });
    await reporter.flush();
    const row = server.stored.find((r) => r.metric === `svc.${META("total")}.count`);
    expect(row?.tags).toEqual({ host: "h1", team: "core", sdk: "apptuit-js" });
  });

  it("are valid without any reporter or global tags (a page has none): tagged sdk=apptuit-js", async () => {
    const errors: unknown[] = [];
    const reporter = new ApptuitReporter({
      registry: new FakeCounters(),
      client: testClient({ sanitize: "apptuit", globalTags: {} }),
      onError: (_status, _ok, _failed, errs) => errors.push(...errs),
    });
    const result = await reporter.flush();
    expect(errors).toEqual([]);
    expect(result.rejected).toBe(0);
    const row = server.stored.find((r) => r.metric === `${META("total")}.count`);
    expect(row?.tags).toEqual({ sdk: "apptuit-js" });
  });

  it("delta: each flush reports what happened since the previous one, and their sum is the total", async () => {
    const clock = manualClock();
    const registry = new MetricsRegistry({ now: clock.now });
    registry.counter("jobs").inc(3);
    const reporter = new ApptuitReporter({
      registry,
      client: testClient({ sanitize: "apptuit" }),
      temporality: "delta",
      now: clock.now,
      onError: null,
      retryBuffer: { maxPoints: 10 },
    });
    // F1 ok, F2 503, F3 ok, F4 503, F5 503 (its 20 points overflow the bound of 10: F4's are dropped), F6 ok.
    server.script = [
      { kind: "ok" },
      { kind: "status", status: 503 },
      { kind: "ok" },
      { kind: "status", status: 503 },
      { kind: "status", status: 503 },
    ];
    for (let flush = 1; flush <= 6; flush++) {
      if (flush === 4) registry.counter("jobs").inc(); // lost with F4's points, and counted
      clock.advance(1000);
      await reporter.flush();
    }
    const values = (f: string) => server.stored.filter((r) => r.metric === `${META(f)}.count`).map((r) => r.value);
    // Stored in order: F1, F2 (retried by F3), F3, F5 (retried by F6), F6 — 10 points each but F3 and F6 were sent with 10 retried.
    expect(values("total")).toEqual([0, 10, 10, 10, 20]); // what the previous flush attempted
    expect(values("successful")).toEqual([0, 10, 0, 0, 0]); // F3's 20 successes were reported by F4, which was dropped
    expect(values("failed")).toEqual([0, 0, 10, 10, 20]);
    expect(values("dropped")).toEqual([0, 0, 0, 0, 10]);
    expect(server.stored.filter((r) => r.metric === "jobs.count").map((r) => r.value)).toEqual([3, 0, 0, 0, 0]);
    expect(reporter.stats()).toMatchObject({ dropped: 10, buffered: 0, delivered: 50, recorded: 60 });
  });
});
