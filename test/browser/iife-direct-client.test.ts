// The direct script tag's client, for dashboards: a page that loads only
// dist/apptuit-direct.iife.js sends, queries and tables through `Apptuit.Apptuit` and
// `handle.client` (its client runs on `fetch` alone), and gets the same typed errors; its
// `init` takes direct mode only (relay mode is dist/apptuit.iife.js).
import { afterAll, beforeAll, expect, it } from "vitest";
import { open, startFixture, TOKEN, type BrowserFixture } from "./support";

let fx: BrowserFixture;
beforeAll(async () => {
  fx = await startFixture();
});
afterAll(async () => {
  await fx?.close();
});

const PAGE = `<!doctype html><meta charset="utf-8"><title>direct client</title>
<script src="/dist/apptuit-direct.iife.js"></script>
<script>
  (async () => {
    try {
      const t0 = Math.floor(Date.now() / 1000) - 10;
      const client = new Apptuit.Apptuit({ token: ${JSON.stringify(TOKEN)}, endpoint: location.origin, globalTags: { host: "tag" } });
      const sent = await client.send([
        { metric: "tag.sent", tags: { k: "a" }, timestamp: t0, value: 1.5 },
        { metric: "tag.sent", tags: { k: "b" }, timestamp: t0 + 1, value: 2.5 },
      ]);
      const table = (await client.query("fetch('tag_sent')", { start: t0 - 60, end: t0 + 60 })).at(0).toTable();

      const handle = Apptuit.init({ endpoint: location.origin, token: ${JSON.stringify(TOKEN)}, interval: 600000, tags: { page: "dash" } });
      handle.registry.counter("tag.clicks").inc(4);
      const flushed = await handle.flush();
      const viaHandle = Apptuit.toTable((await handle.client.query("fetch('tag_clicks_count')", { start: t0 - 60 })).at(0).series);

      let authError = "";
      try {
        await new Apptuit.Apptuit({ token: "wrong", endpoint: location.origin, retry: 0 }).query("fetch('tag_sent')", { start: t0 - 60 });
      } catch (e) {
        authError = e instanceof Apptuit.ApptuitAuthError ? e.name + ": " + e.statusCode : "other: " + e;
      }
      await handle.shutdown();
      // Relay mode is in apptuit.iife.js, not in this tag.
      let relayRefused = "";
      try {
        Apptuit.init({ relayUrl: "/apptuit" });
      } catch (e) {
        relayRefused = (e instanceof Apptuit.ApptuitConfigError ? "ApptuitConfigError: " : "other: ") + e.message;
      }
      window.out = { sent, table, flushed: { ...flushed, errors: flushed.errors.map(String) }, viaHandle, authError, relayRefused };
    } catch (e) {
      window.out = { error: String((e && e.stack) || e) };
    }
  })();
</script>`;

it("sends, queries and tables from the direct script tag's client, and through init's handle", async () => {
  fx.backend.reset();
  fx.pages.set("/direct-client", PAGE);
  const { page, errors } = await open(fx, "/direct-client");
  await page.waitForFunction(() => (window as unknown as { out?: unknown }).out !== undefined);
  const out = await page.evaluate(() => (window as unknown as { out: Record<string, any> }).out);
  await page.close();
  expect(out.error).toBeUndefined();
  expect(out.sent).toEqual({ points: 2, requests: 1 });
  expect(
    out.table.columns.map((c: { metric: string; tags: Record<string, string>; values: unknown[] }) => [c.metric, c.tags.k, c.values]),
  ).toEqual([
    ["tag_sent", "a", [1.5, null]],
    ["tag_sent", "b", [null, 2.5]],
  ]);
  // 1 counter + the reporter's 9 meta points.
  expect(out.flushed).toMatchObject({ recorded: 10, delivered: 10, ok: true, errors: [] });
  expect(out.viaHandle.columns.map((c: { tags: Record<string, string>; values: unknown[] }) => [c.tags.page, c.values])).toEqual([
    ["dash", [4]],
  ]);
  expect(out.authError).toBe("ApptuitAuthError: 401");
  expect(out.relayRefused).toMatch(/^ApptuitConfigError: relayUrl: .*load apptuit\.iife\.js/);
  // Only the 401 probe was logged as an error by the browser.
  expect(errors.filter((e) => !e.includes("401"))).toEqual([]);
});
