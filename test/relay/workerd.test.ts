// The relay in the real workerd (miniflare 4), loaded from the built self-contained bundle
// dist/bundle/relay.js: token from a binding, `request.cf` server tags, `ctx.waitUntil`
// delivery, forwarding to the embedded backend on 127.0.0.1.
import { resolve } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { encodeCompact } from "../../src/relay/index";
import {
  answeredBeforeWrite,
  canonical,
  expectNoToken,
  makePoints,
  PAGE,
  requireFile,
  root,
  sleep,
  startUpstream,
  TOKEN,
  until,
  withTags,
  type Upstream,
} from "./support";

type MiniflareClass = typeof import("miniflare").Miniflare;
type MiniflareInstance = InstanceType<MiniflareClass>;

// Ten minutes ago: within the relay's accepted timestamps (an hour back, ten minutes ahead).
const T = Math.floor(Date.now() / 1000) - 600;
const RELAY_URL = "https://relay.example/apptuit";
const CF = { country: "NZ", colo: "AKL" };
let upstream: Upstream;
const started: MiniflareInstance[] = [];
let mf: MiniflareInstance;

async function startWorker(bindings: Record<string, string>): Promise<MiniflareInstance> {
  let Miniflare: MiniflareClass;
  try {
    ({ Miniflare } = await import("miniflare"));
  } catch (error) {
    throw new Error(`miniflare is not installed (it ships workerd): run \`npm install --save-dev miniflare@4\`. ${String(error)}`);
  }
  const instance = new Miniflare({
    modules: true,
    modulesRoot: root,
    scriptPath: resolve(root, "test/relay/worker/relay-worker.js"),
    // The bundle's chunks are relative .js imports: load them as ES modules too.
    modulesRules: [{ type: "ESModule", include: ["**/*.js"] }],
    compatibilityDate: "2025-09-01",
    bindings,
  });
  started.push(instance);
  await instance.ready;
  return instance;
}

beforeAll(async () => {
  requireFile(resolve(root, "dist/bundle/relay.js"), "build first: `npm run build` (npm test does)");
  upstream = await startUpstream();
  mf = await startWorker({ APPTUIT_API_TOKEN: TOKEN, APPTUIT_ENDPOINT: upstream.url });
});
afterAll(async () => {
  for (const instance of started) await instance.dispose();
  await upstream?.close();
});
beforeEach(() => {
  upstream.backend.reset();
  upstream.authorizations.length = 0;
});

function post(instance: MiniflareInstance, body: string, type: string, origin = PAGE) {
  return instance.dispatchFetch(RELAY_URL, { method: "POST", headers: { origin, "content-type": type }, body, cf: CF });
}

describe("relay in workerd (miniflare, built bundle)", () => {
  it.each([
    ["compact as a text/plain string beacon", "text/plain;charset=UTF-8", "compact"],
    ["OpenTSDB JSON as application/json", "application/json", "opentsdb"],
  ])("%s: 202 at once, delivered after the response through ctx.waitUntil, tagged from request.cf", async (_name, type, format) => {
    // The page tries to forge the server tags: request.cf wins.
    const points = makePoints(`web_workerd_${format}`, 40, T, { page: "/cart", country: "XX", colo: "FAKE" });
    const body = format === "compact" ? encodeCompact(points) : JSON.stringify(points);
    await answeredBeforeWrite(
      upstream,
      () => post(mf, body, type),
      async (response) => {
        // 202, not 204: the relay answered before the write finished, because it had waitUntil.
        expect(response.status).toBe(202);
        expect(response.headers.get("access-control-allow-origin")).toBe(PAGE);
        expect(response.headers.get("access-control-allow-credentials")).toBe("true");
        await expectNoToken(response);
      },
    );
    await until("the relayed points", () => upstream.backend.points().length === points.length);
    expect(canonical(upstream.backend.points())).toEqual(canonical(withTags(points, CF)));
    expect(upstream.backend.stats().puts).toBe(1);
    // The token came from the binding: the backend (which requires it) saw it, and only it.
    expect(upstream.authorizations).toEqual([`Bearer ${TOKEN}`]);
  });

  it("answers a preflight with the origin echoed and credentials allowed, forwarding nothing", async () => {
    const response = await mf.dispatchFetch(RELAY_URL, {
      method: "OPTIONS",
      headers: { origin: PAGE, "access-control-request-method": "POST", "access-control-request-headers": "content-type" },
    });
    expect(response.status).toBe(204);
    expect(response.headers.get("access-control-allow-origin")).toBe(PAGE);
    expect(response.headers.get("access-control-allow-credentials")).toBe("true");
    expect(response.headers.get("access-control-allow-methods")).toBe("POST");
    await response.arrayBuffer();
    expect(upstream.backend.stats().requests).toBe(0);
  });

  it("refuses another origin with 403 and forwards nothing", async () => {
    const response = await post(mf, encodeCompact(makePoints("web_workerd_evil", 3, T)), "text/plain", "https://evil.example");
    expect(response.status).toBe(403);
    expect(response.headers.get("access-control-allow-origin")).toBeNull();
    await expectNoToken(response);
    await sleep(300);
    expect(upstream.backend.stats().requests).toBe(0);
  });

  it("without the token binding the relay answers 500 'not configured' and forwards nothing", async () => {
    const bare = await startWorker({ APPTUIT_ENDPOINT: upstream.url });
    const response = await post(bare, encodeCompact(makePoints("web_workerd_bare", 3, T)), "text/plain");
    expect(response.status).toBe(500);
    expect(await response.json()).toEqual({ error: "relay is not configured" });
    await sleep(300);
    expect(upstream.backend.stats().requests).toBe(0);
  });
});
