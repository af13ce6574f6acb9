import { it } from "vitest";
import { Apptuit, MetricsRegistry, decodeMetric, encodeMetric, parseTags } from "../../src/index";
import { ApptuitReporter } from "../../src/reporter";
import { createBackend } from "../../src/backend";
it("probe", async () => {
  const c = new Apptuit({ token: "t0k3n-abcdef", endpoint: "http://127.0.0.1:1", globalTags: { a: "b" } });
  const tries: [string, unknown][] = [
    ["nan", { metric: "m", timestamp: 1, value: NaN }],
    ["inf", { metric: "m", timestamp: 1, value: -Infinity }],
    ["max", { metric: "m", timestamp: 1, value: Number.MAX_VALUE }],
    ["1e308", { metric: "m", timestamp: 1, value: 1e308 }],
    ["empty", { metric: "", timestamp: 1, value: 1 }],
    ["long", { metric: "a".repeat(100000), timestamp: 1, value: 1 }],
    ["bad chars none", { metric: "a b", timestamp: 1, value: 1 }],
    ["proto", { metric: "m", tags: JSON.parse('{"__proto__":"x"}'), timestamp: 1, value: 1 }],
    ["ctor", { metric: "m", tags: { constructor: "x" }, timestamp: 1, value: 1 }],
    ["nonstr", { metric: "m", tags: { k: 1 }, timestamp: 1, value: 1 }],
    ["ts ms", { metric: "m", timestamp: Date.now(), value: 1 }],
    ["ts neg", { metric: "m", timestamp: -1, value: 1 }],
    ["ts 1e11", { metric: "m", timestamp: 1e11, value: 1 }],
    ["ts invalid date", { metric: "m", timestamp: new Date("x"), value: 1 }],
    ["26 tags", { metric: "m", tags: Object.fromEntries(Array.from({ length: 25 }, (_, i) => ["k" + i, "v"])), timestamp: 1, value: 1 }],
    ["str value", { metric: "m", timestamp: 1, value: "1" }],
    ["bigint value", { metric: "m", timestamp: 1, value: 1n }],
  ];
  for (const [n, p] of tries) {
    try { const w = c.prepare([p as never]); console.log(n, "OK", JSON.stringify(w).slice(0, 200)); }
    catch (e) { console.log(n, (e as Error).name, (e as Error).message.slice(0, 250)); }
  }
  for (const t of ["a", "a:", ":b", "a:b,,c:d", "a:b:c", " , ", "__proto__: x", "constructor: y"]) {
    try { console.log(JSON.stringify(t), "->", JSON.stringify(parseTags(t))); } catch (e) { console.log(JSON.stringify(t), (e as Error).name, (e as Error).message); }
  }
  for (const s of ['x{', 'x{"a":1}', 'x{"__proto__":"p"}', 'x{"a":{}}', '{}', 'x{"a":null}', 'x[]', 'x{"a":"b"}{']) {
    try { console.log(s, "->", JSON.stringify(decodeMetric(s))); } catch (e) { console.log(s, (e as Error).name, (e as Error).message); }
  }
  const r = new MetricsRegistry();
  for (const [n, f] of [
    ["empty name", () => r.counter("").inc()],
    ["nan inc", () => r.counter("c1").inc(NaN)],
    ["gauge nan", () => r.gauge("g1").set(NaN)],
    ["hist nan", () => r.histogram("h1").update(NaN)],
    ["hist inf", () => r.histogram("h2").update(Infinity)],
    ["tags nonstr", () => r.counter("c2", { a: 1 as never }).inc()],
    ["proto tag", () => r.counter("c3", JSON.parse('{"__proto__":"x"}')).inc()],
    ["encoded bad", () => r.counter('c4{"a":').inc()],
    ["26 tags", () => r.counter("c5", Object.fromEntries(Array.from({ length: 26 }, (_, i) => ["k" + i, "v"]))).inc()],
    ["kind clash", () => r.gauge("c1")],
  ] as const) {
    try { f(); console.log("registry", n, "ok"); } catch (e) { console.log("registry", n, (e as Error).name, (e as Error).message); }
  }
  console.log(JSON.stringify(r.collect()).slice(0, 3000));
  const backend = createBackend();
  const calls: unknown[] = [];
  const rep = new ApptuitReporter({ registry: r, client: new Apptuit({ token: "t0k3n-abcdef", endpoint: "http://x", fetch: (i, init) => backend.fetch(new Request(i as never, init)), retry: 0 }), onError: (...a) => calls.push(a) });
  console.log(JSON.stringify(await rep.flush(), (k, v) => (v instanceof Error ? v.name + ":" + v.message : v)).slice(0, 3000));
  console.log(rep.stats(), backend.points().map((p) => p.metric + JSON.stringify(p.tags)).join("\n"));
});
