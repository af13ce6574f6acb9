// The self-contained ESM build by <script type="module">, exercising the client
// (send + query → table), and the registry + reporter through init() in both modes.
import type { ReporterStats } from "../../src/reporter/flush-result";
import { afterAll, beforeAll, expect, it } from "vitest";
import { open, startFixture, TOKEN, type BrowserFixture } from "./support";

let fx: BrowserFixture;
beforeAll(async () => {
  fx = await startFixture();
});
afterAll(async () => {
  await fx?.close();
});

const PAGE = `<!doctype html><meta charset="utf-8"><title>esm</title>
<script type="module">
  import { init, Apptuit, MetricsRegistry, ApptuitReporter, ApptuitAuthError, encodeMetric } from "/dist/bundle/browser.js";
  try {
    const t0 = Math.floor(Date.now() / 1000) - 10;
    const client = new Apptuit({ token: ${JSON.stringify(TOKEN)}, endpoint: location.origin, globalTags: { host: "page" } });
    const sent = await client.send([
      { metric: "esm.sent", tags: { k: "a" }, timestamp: t0, value: 1.5 },
      { metric: "esm.sent", tags: { k: "b" }, timestamp: t0 + 1, value: 2.5 },
    ]);
    const result = await client.query("fetch('esm_sent')", { start: t0 - 60, end: t0 + 60 });
    const table = result.at(0).toTable();

    let authError = "";
    try {
      await new Apptuit({ token: "wrong", endpoint: location.origin, retry: 0 }).send([{ metric: "x", tags: { a: "b" }, timestamp: t0, value: 1 }]);
    } catch (e) {
      authError = e instanceof ApptuitAuthError ? e.name : "other: " + e;
    }

    const viaRelay = init({ relayUrl: "/apptuit", interval: 600000, tags: { path: "esm" } });
    viaRelay.registry.counter("esm.relay.clicks").inc(3);
    const relayFlush = await viaRelay.flush();
    await viaRelay.shutdown();

    const registry = new MetricsRegistry();
    const direct = init({ endpoint: location.origin, token: ${JSON.stringify(TOKEN)}, registry, interval: 600000 });
    registry.timer(encodeMetric("esm.direct.work", { step: "one" })).update(25);
    const directFlush = await direct.flush();
    await direct.shutdown();

    window.out = {
      sent, table, authError,
      relayFlush: { ...relayFlush, errors: relayFlush.errors.map(String) },
      directFlush: { ...directFlush, errors: directFlush.errors.map(String) },
      reporterIsClass: typeof ApptuitReporter === "function",
      directBooks: direct.reporter.stats(),
      hasClient: [viaRelay.client === undefined, direct.client instanceof Apptuit],
    };
  } catch (e) {
    window.out = { error: String(e && e.stack || e) };
  }
</script>`;

it("runs send, query → table, and registry + reporter from the ESM bundle", async () => {
  fx.pages.set("/esm", PAGE);
  const { page, errors } = await open(fx, "/esm");
  await page.waitForFunction(() => (window as unknown as { out?: unknown }).out !== undefined);
  const out = await page.evaluate(() => (window as unknown as { out: Record<string, unknown> }).out);
  await page.close();
  expect(out.error).toBeUndefined();
  expect(out.sent).toEqual({ points: 2, requests: 1 });
  const table = out.table as {
    timestamps: number[];
    columns: { metric: string; tags: Record<string, string>; values: (number | null)[] }[];
  };
  expect(table.timestamps).toHaveLength(2);
  expect(table.columns.map((c) => [c.metric, c.tags.k, c.values])).toEqual([
    ["esm_sent", "a", [1.5, null]],
    ["esm_sent", "b", [null, 2.5]],
  ]);
  expect(out.authError).toBe("ApptuitAuthError");
  expect(out.reporterIsClass).toBe(true);
  // The direct handle's reporter keeps its books: both flushes delivered, nothing left over.
  const books = out.directBooks as ReporterStats;
  expect(books).toMatchObject({ rejected: 0, dropped: 0, buffered: 0, inFlight: 0 });
  expect(books.delivered).toBe(books.recorded);
  expect(books.recorded).toBeGreaterThanOrEqual(24);
  expect(out.hasClient).toEqual([true, true]);

  // Relay mode: 1 counter + its send stats (4 counters and a timer, expanded by the relay).
  // Direct mode: 9 field points of send stats; a timer has 15 fields (meter 5 + histogram 10, sharing count, + sum).
  expect(out.relayFlush).toMatchObject({ recorded: 6, delivered: 6, ok: true, errors: [] });
  expect(out.directFlush).toMatchObject({ recorded: 24, delivered: 24, ok: true, errors: [] });
  const points = fx.backend.points();
  // The flush, then shutdown()'s final flush: a delta of nothing.
  expect(points.filter((p) => p.metric === "esm_relay_clicks_count").map((p) => [p.value, p.tags])).toEqual([
    [3, { path: "esm", runtime: "browser" }],
    [0, { path: "esm", runtime: "browser" }],
  ]);
  expect(points.filter((p) => p.metric === "esm_direct_work_count").map((p) => [p.value, p.tags])).toEqual([
    [1, { step: "one", runtime: "browser" }],
    [0, { step: "one", runtime: "browser" }],
  ]);
  expect(points.find((p) => p.metric === "esm_direct_work_max")?.value).toBe(25);
  // Only the 401 probe was logged as an error by the browser.
  expect(errors.filter((e) => !e.includes("401"))).toEqual([]);
});
