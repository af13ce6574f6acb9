// The 64 KiB keepalive quota: a page with many series closed right after recording. Every
// body of the unload flush stays within the quota together, every point that fits arrives
// with its exact value, none twice; what does not fit is not sent (it would only fail).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { quotaPage, type Mode } from "./pages";
import { identity, open, settled, startFixture, until, type BrowserFixture } from "./support";

let fx: BrowserFixture;
beforeAll(async () => {
  fx = await startFixture();
});
afterAll(async () => {
  await fx?.close();
});

const utf8 = (s: string) => Buffer.byteLength(s, "utf8");

async function closeWith(mode: Mode, series: number) {
  fx.backend.reset();
  fx.log.length = 0;
  const path = `/quota-${mode}-${series}`;
  fx.pages.set(path, quotaPage(mode, series));
  const { page, errors } = await open(fx, path);
  await page.waitForFunction(() => (window as unknown as { pageReady?: boolean }).pageReady === true);
  await page.close({ runBeforeUnload: true });
  await until(() => fx.backend.points().length, (n) => n > 0);
  const points = await settled(fx.backend, 1_000);
  const bodies = fx.log.filter((r) => r.method === "POST").map((r) => utf8(r.body));
  const hits = points.filter((p) => p.metric === "quota_hits_count");
  return { points, hits, bodies, errors };
}

describe.each<[Mode, number[]]>([
  ["relay", [1_000, 2_000, 2_500, 3_000, 5_000]],
  ["direct", [200, 400, 500, 600, 1_000]],
])("%s mode", (mode, sizes) => {
  it("sends what fits the quota, each point once, exact values", async () => {
    const rows: string[] = [];
    let largestComplete = 0;
    for (const series of sizes) {
      const { points, hits, bodies, errors } = await closeWith(mode, series);
      expect(errors).toEqual([]);
      expect(new Set(points.map(identity)).size).toBe(points.length);
      for (const p of hits) expect(p.value).toBe(Number(p.tags.series!.slice(1)) + 1);
      const total = bodies.reduce((a, b) => a + b, 0);
      expect(total).toBeLessThanOrEqual(65_536);
      const complete = hits.length === series;
      if (complete) largestComplete = Math.max(largestComplete, series);
      rows.push(`${series} series → ${points.length} points in ${bodies.length} bodies, ${total} bytes${complete ? " (all)" : ""}`);
    }
    console.log(`[quota] ${mode}: largest series count delivered completely: ${largestComplete}\n  ${rows.join("\n  ")}`);
    // The smallest size always fits; the largest never can.
    expect(largestComplete).toBeGreaterThanOrEqual(sizes[0]!);
    expect(largestComplete).toBeLessThan(sizes.at(-1)!);
  });
});
