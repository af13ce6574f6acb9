import { describe, expect, it } from "vitest";
import { parseQuery } from "../../../src/backend/query/parse";
import { QueryError } from "../../../src/backend/query/query-error";

describe("query language parser", () => {
  it("parses a bare fetch; the output id is the metric name", () => {
    expect(parseQuery("fetch('proc.cpu.percent')")).toEqual({
      outputs: [{ id: "proc.cpu.percent", expr: { kind: "fetch", metric: "proc.cpu.percent", filters: [] } }],
    });
  });

  it("parses tag filters with alternatives, wildcards, quoted keys and double quotes", () => {
    const plan = parseQuery(`fetch("m", {host: 'a|b', "dc": "eu-*", 'zone': '*',})`);
    expect(plan.outputs[0]!.expr).toEqual({
      kind: "fetch",
      metric: "m",
      filters: [
        { key: "host", patterns: ["a", "b"] },
        { key: "dc", patterns: ["eu-*"] },
        { key: "zone", patterns: ["*"] },
      ],
    });
  });

  it("parses downsample with every unit into milliseconds", () => {
    const cases: [string, number][] = [
      ["500ms", 500],
      ["30s", 30_000],
      ["1m", 60_000],
      ["2h", 7_200_000],
      ["1d", 86_400_000],
      ["1w", 604_800_000],
    ];
    for (const [interval, ms] of cases) {
      const plan = parseQuery(`fetch('m').downsample('${interval}', 'max')`);
      expect(plan.outputs[0]!.expr).toEqual({
        kind: "downsample",
        intervalMs: ms,
        aggregator: "max",
        input: { kind: "fetch", metric: "m", filters: [] },
      });
    }
  });

  it("parses several statements and output() in the order given", () => {
    const plan = parseQuery(`
      cpu = fetch('node.cpu').downsample('1h', 'avg');
      load = fetch('node.load1');
      load10 = load.downsample('10m', 'sum');
      output(load10, cpu);
    `);
    expect(plan.outputs.map((o) => o.id)).toEqual(["load10", "cpu"]);
    expect(plan.outputs[0]!.expr).toMatchObject({ kind: "downsample", aggregator: "sum", input: { metric: "node.load1" } });
  });

  it("names a bare variable output after the variable", () => {
    expect(parseQuery("a = fetch('m'); a").outputs.map((o) => o.id)).toEqual(["a"]);
  });

  const errors: [string, RegExp][] = [
    ["", /empty query/],
    ["fetch('m'", /line 1, column 10: expected '\)' to close fetch\(\.\.\.\), found end of query/],
    ["fetch(m)", /expected a quoted metric name/],
    ["fetch('m').rate()", /unsupported method \.rate\(\)/],
    ["sum(fetch('m'))", /unsupported function sum\(\)/],
    ["fetch('m').downsample('1m', 'p99')", /unsupported aggregator 'p99'/],
    ["fetch('m').downsample('1 minute', 'avg')", /invalid interval '1 minute'/],
    ["fetch('m').downsample('0m', 'avg')", /invalid interval '0m'/],
    ["a = fetch('m')", /no output/],
    ["a = fetch('m');\noutput(b)", /line 2, column 8: output\(b\): "b" is not defined/],
    ["a = fetch('m'); a = fetch('n'); output(a)", /assigned twice/],
    ["fetch('m') fetch('n')", /expected ';' between statements/],
    ["fetch('m', {host 'a'})", /expected ':' after a tag key/],
    ["fetch('it\\'s", /unterminated string/],
    ["fetch('m') + 1", /unexpected character "\+"/],
    ["fetch('')", /needs a metric name/],
  ];
  it.each(errors)("refuses %j with a clear message", (query, message) => {
    expect(() => parseQuery(query)).toThrow(QueryError);
    expect(() => parseQuery(query)).toThrow(message);
  });

  it("refuses a query longer than 64 KiB", () => {
    expect(() => parseQuery(`fetch('${"m".repeat(70_000)}')`)).toThrow(/longer than/);
  });
});
