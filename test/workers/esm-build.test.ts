// The npm ESM build (dist/esm, with `ky` and `valibot` as bare imports) bundled for a
// Worker the way wrangler does it (esbuild, workerd conditions), then run in workerd:
// what `npm install apptuit` users deploy, next to the self-contained bundle of workers.test.ts.
import { build } from "esbuild";
import { mkdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { Miniflare } from "miniflare";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createBackend } from "../../src/backend/index";
import { serve, type Served } from "../harness/serve";

const root = resolve(import.meta.dirname, "../..");
const work = join(root, ".tmp/wrangler-style");
const TOKEN = "esm-build-token";
const backend = createBackend({ token: TOKEN });
let server: Served;
let mf: Miniflare;

const WORKER = `
import { MetricsRegistry, withApptuit } from "apptuit/workers";
const registry = new MetricsRegistry();
const orders = registry.counter("shop.orders", { region: "eu" });
export default withApptuit(
  { async fetch() { orders.inc(); return new Response("ok"); } },
  { registry, interval: 0, requestMetrics: true, tags: { deploy: "wrangler" } },
);
`;

beforeAll(async () => {
  server = await serve((request) => backend.fetch(request));
  rmSync(work, { recursive: true, force: true });
  mkdirSync(join(work, "node_modules"), { recursive: true });
  symlinkSync(root, join(work, "node_modules/apptuit"), "dir"); // as `npm install apptuit` would
  writeFileSync(join(work, "worker.js"), WORKER);
  const result = await build({
    entryPoints: [join(work, "worker.js")],
    bundle: true,
    format: "esm",
    platform: "neutral",
    conditions: ["workerd", "worker", "browser", "import"],
    mainFields: ["module", "main"],
    write: false,
    logLevel: "silent",
  });
  const script = result.outputFiles[0]!.text;
  expect(script).not.toMatch(/from\s*["'](ky|valibot)["']/); // resolved from the ESM build's bare imports
  mf = new Miniflare({
    modules: true,
    script,
    compatibilityDate: "2025-09-01",
    bindings: { APPTUIT_API_TOKEN: TOKEN, APPTUIT_ENDPOINT: server.url },
  });
  await mf.ready;
});

afterAll(async () => {
  await mf?.dispose();
  await server?.close();
  rmSync(work, { recursive: true, force: true });
});

it("a Worker bundled from dist/esm reports every request as deltas that sum exactly", async () => {
  const M = 12;
  for (let i = 0; i < M; i++) expect(await (await mf.dispatchFetch("http://worker.test/buy")).text()).toBe("ok");
  const deadline = Date.now() + 15_000;
  const sum = () =>
    backend
      .points()
      .filter((p) => p.metric === "shop_orders_count")
      .reduce((s, p) => s + p.value, 0);
  while (sum() < M && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25));
  expect(sum()).toBe(M);
  const rows = backend.points().filter((p) => p.metric === "shop_orders_count");
  expect(rows.every((p) => p.tags.region === "eu" && p.tags.deploy === "wrangler")).toBe(true);
  const requests = backend.points().filter((p) => p.metric === "http_server_requests_count" && p.tags.status === "2xx");
  expect(requests.reduce((s, p) => s + p.value, 0)).toBe(M);
});
