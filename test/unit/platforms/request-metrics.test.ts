import { describe, expect, it } from "vitest";
import { MetricsRegistry } from "../../../src/registry";
import { RequestMetrics } from "../../../src/platforms/shared/request-metrics";

const req = (path: string) => new Request(`https://example.test${path}`);
const counts = (registry: MetricsRegistry) =>
  registry
    .collect()
    .filter((p) => p.metric === "http.server.requests.count")
    .map((p) => [p.tags.route, p.value]);

describe("request metrics never lose a request to a route the write API would refuse", () => {
  it("a route over 1,024 characters, a throwing or a non-string route function: counted under other/unknown", () => {
    const registry = new MetricsRegistry();
    let route: () => unknown = () => "x".repeat(2_000);
    const metrics = new RequestMetrics(registry, { route: () => route() as string });
    metrics.record(req("/a"), 200, 1);
    route = () => 42;
    metrics.record(req("/b"), 200, 1);
    route = () => {
      throw new Error("route bug");
    };
    metrics.record(req("/c"), 200, 1);
    route = () => "/fine";
    metrics.record(req("/d"), 200, 1);
    expect(counts(registry)).toEqual([
      ["other", 2],
      ["unknown", 1],
      ["/fine", 1],
    ]);
  });
});
