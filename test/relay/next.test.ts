// The relay as a Next.js 16 route handler: `next build` of test/relay/next-app (which
// imports the built package as `apptuit/relay`), then `next start` on 127.0.0.1; pages'
// payloads POSTed to it arrive at the embedded backend.
import { spawn } from "node:child_process";
import { readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { encodeCompact } from "../../src/relay/index";
import {
  answeredBeforeWrite,
  canonical,
  COMPACT_TYPE,
  expectNoToken,
  makePoints,
  PAGE,
  requireFile,
  root,
  sleep,
  startBackground,
  startUpstream,
  TOKEN,
  until,
  withTags,
  type Background,
  type Upstream,
} from "./support";

const appDir = resolve(root, "test/relay/next-app");
const nextBin = resolve(root, "node_modules/.bin/next");
// Ten minutes ago: within the relay's accepted timestamps (an hour back, ten minutes ahead).
const T = Math.floor(Date.now() / 1000) - 600;
let upstream: Upstream;
let next: Background;
let base: string;
let buildMs = 0;

function nextEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  // No APPTUIT_* from our environment: only what we pass at `next start`.
  const env: NodeJS.ProcessEnv = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith("APPTUIT_")));
  return {
    ...env,
    NODE_ENV: "production", // vitest sets "test", which Next.js treats differently
    NEXT_TELEMETRY_DISABLED: "1",
    PATH: `${dirname(process.execPath)}:${process.env.PATH ?? ""}`,
    ...extra,
  };
}

function nextBuild(): Promise<void> {
  rmSync(resolve(appDir, ".next"), { recursive: true, force: true }); // never test a stale build
  const started = Date.now();
  return new Promise((resolvePromise, reject) => {
    const child = spawn(nextBin, ["build", appDir], { cwd: root, env: nextEnv(), stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (d) => (output += d));
    child.stderr.on("data", (d) => (output += d));
    child.on("error", reject);
    child.on("exit", (code) => {
      buildMs = Date.now() - started;
      if (code === 0) resolvePromise();
      else reject(new Error(`next build exited with ${code}:\n${output.slice(-4000)}`));
    });
  });
}

beforeAll(async () => {
  requireFile(nextBin, "install Next.js 16 (`npm install --save-dev next@16 react react-dom`)");
  requireFile(resolve(root, "dist/esm/relay.js"), "build first: `npm run build` (npm test does)");
  await nextBuild();
  upstream = await startUpstream();
  // Port 0: Next binds one the kernel picks (none to lose between choosing and binding) and prints its URL.
  next = startBackground(nextBin, ["start", appDir, "-H", "127.0.0.1", "-p", "0"], {
    env: nextEnv({ APPTUIT_API_TOKEN: TOKEN, APPTUIT_ENDPOINT: upstream.url, RELAY_ALLOWED_ORIGINS: PAGE }),
  });
  base = (await next.waitFor(/- Local:\s+(http:\/\/127\.0\.0\.1:\d+)/))[1]!;
  // Ready when the route answers (a GET is refused with 405 and forwards nothing).
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (next.child.exitCode !== null) throw new Error(`next start exited:\n${next.output()}`);
    try {
      const response = await fetch(`${base}/api/apptuit`);
      await response.arrayBuffer();
      if (response.status === 405) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`next start did not answer within 30 s:\n${next.output()}`);
    await sleep(100);
  }
  console.log(`next build of test/relay/next-app: ${(buildMs / 1000).toFixed(1)} s`);
}, 180_000);

afterAll(async () => {
  await next?.stop();
  await upstream?.close();
});

beforeEach(() => {
  upstream.backend.reset();
  upstream.authorizations.length = 0;
});

const post = (path: string, body: string, type: string, origin = PAGE) =>
  fetch(`${base}${path}`, { method: "POST", headers: { "content-type": type, origin }, body });

describe("relay as a Next.js route handler (next build + next start)", () => {
  it.each([
    ["compact as a text/plain string beacon", "text/plain;charset=UTF-8", "compact"],
    ["compact with its own content type", COMPACT_TYPE, "compact"],
    ["OpenTSDB JSON as application/json", "application/json", "opentsdb"],
  ])("POST /api/apptuit, %s: 204 once written, every point arrives", async (_name, type, format) => {
    const points = makePoints(`web_next_${format}`, 50, T, { page: "/cart" });
    const body = format === "compact" ? encodeCompact(points) : JSON.stringify(points);
    const response = await post("/api/apptuit", body, type);
    expect(response.status).toBe(204);
    expect(response.headers.get("access-control-allow-origin")).toBe(PAGE);
    expect(response.headers.get("access-control-allow-credentials")).toBe("true");
    await expectNoToken(response);
    expect(canonical(upstream.backend.points())).toEqual(canonical(withTags(points, { relay: "next" })));
    expect(upstream.authorizations).toEqual([`Bearer ${TOKEN}`]);
  });

  it("POST /api/apptuit-after (Next's `after` as waitUntil): 202 at once, the points arrive after the response", async () => {
    const points = makePoints("web_next_after", 20, T);
    await answeredBeforeWrite(
      upstream,
      () => post("/api/apptuit-after", encodeCompact(points), "text/plain;charset=UTF-8"),
      async (response) => {
        expect(response.status).toBe(202);
        await expectNoToken(response);
      },
    );
    await until("the points written after the response", () => upstream.backend.points().length === points.length);
    expect(canonical(upstream.backend.points())).toEqual(canonical(withTags(points, { relay: "next" })));
  });

  it("OPTIONS answers the preflight of an allowed origin (origin echoed, credentials allowed)", async () => {
    const response = await fetch(`${base}/api/apptuit`, {
      method: "OPTIONS",
      headers: { origin: PAGE, "access-control-request-method": "POST", "access-control-request-headers": "content-type" },
    });
    expect(response.status).toBe(204);
    expect(response.headers.get("access-control-allow-origin")).toBe(PAGE);
    expect(response.headers.get("access-control-allow-credentials")).toBe("true");
    expect(response.headers.get("access-control-allow-methods")).toBe("POST");
    expect(upstream.backend.stats().requests).toBe(0);
  });

  it("refuses another origin with 403 and forwards nothing", async () => {
    const response = await post("/api/apptuit", encodeCompact(makePoints("web_next_evil", 3, T)), "text/plain", "https://evil.example");
    expect(response.status).toBe(403);
    await expectNoToken(response);
    await sleep(300);
    expect(upstream.backend.stats().requests).toBe(0);
  });

  it("the token is in neither the app's files on disk (it is read at start) nor the server's log", () => {
    const files = readdirSync(resolve(appDir, ".next"), { recursive: true, encoding: "utf8" })
      .map((name) => resolve(appDir, ".next", name))
      .filter((file) => statSync(file).isFile());
    expect(files.length).toBeGreaterThan(10);
    for (const file of files) expect(readFileSync(file, "latin1").includes(TOKEN), file).toBe(false);
    expect(next.output()).not.toContain(TOKEN);
  });
});
