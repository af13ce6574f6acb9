// The registry's own points (series_refused, invalid_updates) must reach the server even
// when nothing else gives them a tag: OpenTSDB refuses a point without tags.
import { describe, expect, it } from "vitest";
import { createBackend } from "../../../src/backend";
import { Apptuit } from "../../../src/core/client";
import { INVALID_UPDATES, MetricsRegistry, SERIES_REFUSED } from "../../../src/registry";
import { ApptuitReporter } from "../../../src/reporter";

const TOKEN = "meta-points-token-0123456789";

describe("the registry's meta points", () => {
  it("carry the reporter's sdk tag", () => {
    const r = new MetricsRegistry({ maxSeries: 1 });
    r.counter("a").inc();
    r.counter("b").inc(Number.NaN);
    expect(r.collect().filter((p) => p.metric.startsWith("apptuit.registry."))).toEqual([
      { metric: `${SERIES_REFUSED}.count`, tags: { sdk: "apptuit-js" }, value: 1 },
      { metric: `${INVALID_UPDATES}.count`, tags: { sdk: "apptuit-js" }, value: 1 },
    ]);
  });

  it("are delivered by a reporter with neither reporter nor global tags", async () => {
    const backend = createBackend({ token: TOKEN });
    const client = new Apptuit({
      token: TOKEN,
      env: {},
      endpoint: "http://meta.test",
      sanitize: "apptuit",
      fetch: (input, init) => backend.fetch(new Request(input, init)),
    });
    const r = new MetricsRegistry({ maxSeries: 1 });
    r.counter("a", { k: "v" }).inc();
    r.counter("b", { k: "v" }).inc(Number.NaN);
    const errors: unknown[] = [];
    const reporter = new ApptuitReporter({ registry: r, client, onError: (_s, _ok, _failed, e) => errors.push(...e) });
    await reporter.flush();
    expect(errors).toEqual([]);
    const stored = backend.points().filter((p) => p.metric.startsWith("apptuit.registry."));
    expect(stored.map((p) => [p.metric, p.tags, p.value])).toEqual([
      ["apptuit.registry.series_refused.count", { sdk: "apptuit-js" }, 1],
      ["apptuit.registry.invalid_updates.count", { sdk: "apptuit-js" }, 1],
    ]);
    expect(reporter.stats()).toMatchObject({ rejected: 0, dropped: 0, buffered: 0 });
  });
});
