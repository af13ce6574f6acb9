// The Workers relay's configuration rules, and what durable storage relies on: a series'
// state survives its stored form unchanged, and shards are chosen the same way everywhere.
import { afterEach, describe, expect, it, vi } from "vitest";
import { ApptuitConfigError } from "../../../src/core/errors/config-error";
import { compactBody } from "../../../src/platforms/browser/body-writer";
import { createWorkersRelay } from "../../../src/platforms/workers/relay";
import { aggregatorStats } from "../../../src/platforms/workers/durable/binding";
import { shardOf } from "../../../src/platforms/workers/durable/protocol";
import { SeriesState } from "../../../src/relay/aggregate/series-state";
import { seriesKey } from "../../../src/relay/aggregate/series-key";
import { createRelay } from "../../../src/relay/relay";
import { distributionDelta } from "../../../src/registry/sketch-delta";
import { Sketch } from "../../../src/registry/sketch";

afterEach(() => vi.unstubAllGlobals());

describe("aggregatorStats", () => {
  it("asks each shard's object by its fixed name, in shard order", async () => {
    const asked: string[] = [];
    const namespace = {
      idFromName: (name: string) => name,
      get: (id: unknown) => ({
        fetch: async (url: string) => {
          asked.push(`${String(id)} ${url}`);
          return Response.json({ shard: String(id) });
        },
      }),
    };
    const stats = await aggregatorStats({ AGG: namespace }, "AGG", 3);
    expect(stats).toEqual([{ shard: "apptuit-aggregator-0" }, { shard: "apptuit-aggregator-1" }, { shard: "apptuit-aggregator-2" }]);
    expect(asked).toEqual([0, 1, 2].map((i) => `apptuit-aggregator-${i} https://apptuit-aggregator/stats`));
  });

  it("refuses a missing binding or a bad shard count with a config error naming it", async () => {
    await expect(aggregatorStats({}, "APPTUIT_AGGREGATOR")).rejects.toThrow(/APPTUIT_AGGREGATOR/);
    await expect(aggregatorStats({}, "APPTUIT_AGGREGATOR")).rejects.toBeInstanceOf(ApptuitConfigError);
    const namespace = { idFromName: () => "x", get: () => ({ fetch: async () => Response.json({}) }) };
    await expect(aggregatorStats({ A: namespace }, "A", 0)).rejects.toThrow(/shards must be a positive integer, got 0/);
  });
});

describe("createWorkersRelay", () => {
  it("refuses to run without a choice, naming both: the Durable Object binding or aggregate: false", () => {
    let error: unknown;
    try {
      createWorkersRelay({ token: "t" });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ApptuitConfigError);
    expect(String(error)).toMatch(/aggregator/);
    expect(String(error)).toMatch(/aggregate: false/);
    expect(String(error)).not.toMatch(/\bt\b.*token/);
  });

  it("passes through with aggregate: false, and takes a binding name", () => {
    expect(typeof createWorkersRelay({ token: "t", aggregate: false })).toBe("function");
    expect(typeof createWorkersRelay({ token: "t", aggregator: "APPTUIT_AGGREGATOR", shards: 16 })).toBe("function");
    expect(() => createWorkersRelay({ token: "t", aggregator: "APPTUIT_AGGREGATOR", shards: 0 })).toThrow(ApptuitConfigError);
  });

  it("answers 500 (misconfigured) when the binding is missing from env, forwarding nothing", async () => {
    const relay = createWorkersRelay({ token: "t", aggregator: "APPTUIT_AGGREGATOR", onError: null, rateLimit: false });
    const t = Math.floor(Date.now() / 1000);
    const writer = compactBody();
    writer.tryAdd({ metric: "a.count", tags: { app: "x" }, timestamp: t * 1000, value: 1, delta: { kind: "sum" } }, 65_536);
    const body = writer.finish();
    const response = await relay(
      new Request("https://r.example/apptuit", { method: "POST", body, headers: { "content-type": "text/plain" } }),
      { env: {} },
    );
    expect(response.status, await response.clone().text()).toBe(500);
  });
});

describe("createRelay on Workers", () => {
  it("refuses in-isolate aggregation with an ApptuitConfigError naming both choices", () => {
    vi.stubGlobal("navigator", { userAgent: "Cloudflare-Workers" });
    expect(() => createRelay({ token: "t" })).toThrow(ApptuitConfigError);
    expect(() => createRelay({ token: "t", aggregate: { windowMs: 10_000 } })).toThrow(/Durable Objects.*aggregate: false/s);
    expect(typeof createRelay({ token: "t", aggregate: false })).toBe("function");
  });

  it("aggregates in process elsewhere, as before", () => {
    expect(typeof createRelay({ token: "t" })).toBe("function");
  });
});

describe("durable aggregation state", () => {
  it("a series state's stored form gives back the same fields", () => {
    const sketch = new Sketch();
    for (let i = 1; i <= 1000; i++) sketch.add(Math.exp(i / 100));
    const state = new SeriesState("timer", "latency", { route: "/" });
    state.merge({
      metric: "latency",
      tags: { route: "/" },
      timestamp: 0,
      kind: "timer",
      value: sketch.count,
      dist: distributionDelta("timer", sketch),
    });
    const back = SeriesState.fromStored(JSON.parse(JSON.stringify(state.toStored())));
    const fields = (s: SeriesState) => Object.fromEntries(s.fields(10).map((p) => [p.metric, p.value]));
    const a = fields(state);
    const b = fields(back);
    for (const [name, value] of Object.entries(a)) expect(b[name], name).toBeCloseTo(value, 9);
    // Stored twice, the same text: a window computed again writes the same values.
    expect(JSON.stringify(back.toStored())).toBe(JSON.stringify(SeriesState.fromStored(back.toStored()).toStored()));
  });

  it("shards by kind, name and sorted tags, the same whatever the tag order", () => {
    const a = seriesKey({ kind: "sum", metric: "m", tags: { a: "1", b: "2" } });
    const b = seriesKey({ kind: "sum", metric: "m", tags: { b: "2", a: "1" } });
    expect(shardOf(a, 8)).toBe(shardOf(b, 8));
    const used = new Set(Array.from({ length: 200 }, (_, i) => shardOf(seriesKey({ kind: "sum", metric: `m${i}`, tags: {} }), 8)));
    expect(used.size).toBe(8);
  });
});
