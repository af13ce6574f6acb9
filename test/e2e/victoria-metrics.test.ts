// End to end against a real OpenTSDB-compatible database: what `send` writes through
// /api/put (gzip, batching) comes back unchanged through PromQL and the raw export API.
import { inject, describe, expect, it } from "vitest";
import { Apptuit } from "../../src/index";

const { putUrl, httpUrl } = inject("victoriaMetrics");
const run = `r${Date.now().toString(36)}${Math.floor(Math.random() * 1e6).toString(36)}`;
const now = Math.floor(Date.now() / 1000);
const start = now - 3600 - (now % 60); // minute-aligned so the range query's steps hit the points

function client(sanitize?: "prometheus" | "apptuit") {
  return new Apptuit({
    token: null, // VictoriaMetrics takes no auth: no Authorization header
    writeEndpoint: putUrl,
    queryEndpoint: httpUrl,
    promEndpoint: httpUrl,
    globalTags: { run },
    ...(sanitize ? { sanitize } : {}),
  });
}

async function forceFlush() {
  const res = await fetch(`${httpUrl}/internal/force_flush`);
  expect(res.ok).toBe(true);
}

/**
 * Reads until `complete` holds (or 10 s pass) and returns the last read. Data written and
 * force-flushed is not always visible to the very next query (VictoriaMetrics' own
 * integration tests poll after force_flush too), so the exact checks run on a read that
 * has everything; `complete` only counts, so wrong data is returned at once and fails them.
 */
async function settled<T>(read: () => Promise<T>, complete: (value: T) => boolean): Promise<T> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const value = await read();
    if (complete(value) || Date.now() > deadline) return value;
    await new Promise((r) => setTimeout(r, 100));
  }
}

const count = (series: { values: unknown[] }[]) => series.reduce((n, s) => n + s.values.length, 0);

async function exportSeries(selector: string) {
  const url = `${httpUrl}/api/v1/export?match[]=${encodeURIComponent(selector)}&nocache=1`;
  const text = await (await fetch(url)).text();
  return text
    .split("\n")
    .filter(Boolean)
    .map((line) => JSON.parse(line) as { metric: Record<string, string>; values: number[]; timestamps: number[] })
    .sort((a, b) => JSON.stringify(a.metric).localeCompare(JSON.stringify(b.metric)));
}

describe("VictoriaMetrics end to end", () => {
  it("points sent with send() come back unchanged through promQuery and /api/v1/export", async () => {
    const values = [0.5, 12.25, -3, 1e6, 0, 42.125];
    const hosts = ["web-1", "web-2"];
    const points = hosts.flatMap((host, h) =>
      values.map((value, i) => ({
        metric: "e2e.cpu.percent",
        tags: { host, region: "eu-west" },
        timestamp: start + i * 60,
        value: value + h,
      })),
    );
    const result = await client().send(points);
    expect(result.points).toBe(points.length);
    await forceFlush();

    // Prometheus sanitizing (the default) turns dots into underscores.
    const expected = hosts.length * values.length;
    const prom = await settled(
      () => client().promQuery(`e2e_cpu_percent{run="${run}"}`, { start, end: start + (values.length - 1) * 60, step: 60 }),
      (p) => count(p.series) >= expected,
    );
    expect(prom.series).toHaveLength(2);
    const byHost = Object.fromEntries(prom.series.map((s) => [s.tags.host, s]));
    for (const [h, host] of hosts.entries()) {
      const series = byHost[host]!;
      expect(series.tags).toMatchObject({ host, region: "eu-west", run });
      expect(series.timestamps).toEqual(values.map((_, i) => start + i * 60));
      expect(series.values).toEqual(values.map((v) => v + h));
    }

    const table = prom.toTable();
    expect(table.timestamps).toEqual(values.map((_, i) => start + i * 60));
    expect(table.columns).toHaveLength(2);

    const exported = await settled(
      () => exportSeries(`e2e_cpu_percent{run="${run}"}`),
      (e) => count(e) >= expected,
    );
    expect(exported.map((e) => e.metric.host)).toEqual(hosts);
    for (const [h, e] of exported.entries()) {
      expect(e.timestamps).toEqual(values.map((_, i) => (start + i * 60) * 1000));
      expect(e.values).toEqual(values.map((v) => v + h));
    }
  });

  it("sendTimeseries keeps dotted names with the apptuit sanitizer and splits large batches", async () => {
    const n = 60_001; // over the 50,000-points-per-request limit
    const timestamps = Array.from({ length: n }, (_, i) => start - n + i);
    const values = timestamps.map((_, i) => i % 1000);
    const result = await client("apptuit").sendTimeseries([{ metric: "e2e.batch.value", tags: { kind: "bulk" }, timestamps, values }]);
    expect(result).toEqual({ points: n, requests: 2 });
    await forceFlush();

    const exported = await settled(
      () => exportSeries(`{__name__="e2e.batch.value",run="${run}"}`),
      (e) => count(e) >= n,
    );
    expect(exported).toHaveLength(1);
    expect(exported[0]!.timestamps).toHaveLength(n);
    expect(exported[0]!.values.slice(0, 5)).toEqual([0, 1, 2, 3, 4]);
    expect(exported[0]!.timestamps[n - 1]).toBe((start - 1) * 1000);

    const instant = await settled(
      () => client("apptuit").promQueryInstant(`count_over_time({__name__="e2e.batch.value",run="${run}"}[2d])`, { time: start }),
      (i) => (i.series[0]?.values[0] ?? 0) >= n,
    );
    expect(instant.series[0]!.values).toEqual([n]);
  });
});
