// Chromium end to end: a page on one origin sends beacons to the relay on another origin
// (a different port is a different origin); the relay (the built dist/esm/relay.js behind
// node:http) forwards them with the token only it knows to the embedded backend. The page
// builds the compact format with encodeCompact from the built bundle (dist/bundle/relay.js),
// imported as a module: no adapter, no token, beacons sent by hand.
import { readFile } from "node:fs/promises";
import { extname, join, normalize, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { launchChromium } from "../harness/chromium";
import { serve, type Served } from "../harness/serve";
import {
  canonical,
  makePoints,
  requireFile,
  root,
  sleep,
  startUpstream,
  TOKEN,
  until,
  withTags,
  type Point,
  type Upstream,
} from "./support";

type RelayModule = typeof import("../../src/relay/index");

// Ten minutes ago: within the relay's accepted timestamps (an hour back, ten minutes ahead).
const T = Math.floor(Date.now() / 1000) - 600;
const SERVER_TAGS = { via: "relay" };
/** The metrics the pages send: beacons from open pages, keepalive fetches on close. */
const METRICS = [
  "web_beacon_string",
  "web_beacon_blob",
  "web_beacon_wildcard",
  "web_evil_string",
  "web_evil_blob",
  "web_unload",
  "web_evil_unload",
];

const PAGE_HTML = `<!doctype html>
<html>
<head><meta charset="utf-8"><title>relay beacons</title></head>
<body>
<script type="module">
  import { encodeCompact } from "/bundle/relay.js";
  const relay = new URLSearchParams(location.search).get("relay");
  let onExit = null;
  let exitSent = false;
  // pagehide and visibilitychange→hidden both fire on close: send once.
  function flushOnExit() {
    if (exitSent || onExit === null) return;
    exitSent = true;
    fetch(relay, { method: "POST", keepalive: true, headers: { "content-type": "application/json" }, body: JSON.stringify(onExit) }).catch(() => {});
  }
  addEventListener("pagehide", flushOnExit);
  addEventListener("visibilitychange", () => { if (document.visibilityState === "hidden") flushOnExit(); });
  window.beacons = {
    string: (points) => navigator.sendBeacon(relay, encodeCompact(points)),
    blob: (points) => navigator.sendBeacon(relay, new Blob([JSON.stringify(points)], { type: "application/json" })),
    onExit: (points) => { onExit = points; },
  };
</script>
</body>
</html>
`;

interface Seen {
  method: string;
  origin: string | null;
  type: string | null;
  status: number;
}

let upstream: Upstream;
let browser: Browser;
const servers: Served[] = [];
/** Origin A (allowed) and origin C (not allowed) serve the same page. */
let pageA: Served;
let pageC: Served;
/** The relay, and a broken copy answering `Access-Control-Allow-Origin: *` without credentials. */
let relay: Served;
let wildcard: Served;
const seen: Record<"relay" | "wildcard", Seen[]> = { relay: [], wildcard: [] };
/** Every body the page servers sent, and every request any page made (url, headers, body). */
const served: string[] = [];
const requests: Promise<string>[] = [];
/**
 * Every request the relays received from the browser, headers and body. Playwright misses
 * requests sent while a page closes (the keepalive fetch); the relays see them all.
 */
const received: string[] = [];
const contexts: BrowserContext[] = [];

type Handler = (request: Request) => Promise<Response>;

function pageServer(): Handler {
  return async (request) => {
    const path = new URL(request.url).pathname;
    let response: Response;
    if (path === "/") {
      response = new Response(PAGE_HTML, { headers: { "content-type": "text/html; charset=utf-8" } });
    } else if (path.startsWith("/bundle/")) {
      const file = normalize(join(root, "dist/bundle", path.slice("/bundle/".length)));
      if (!file.startsWith(join(root, "dist/bundle")) || extname(file) !== ".js") return new Response("not found", { status: 404 });
      try {
        response = new Response(await readFile(file), { headers: { "content-type": "text/javascript; charset=utf-8" } });
      } catch {
        return new Response("not found", { status: 404 });
      }
    } else {
      return new Response("not found", { status: 404 });
    }
    served.push(await response.clone().text());
    return response;
  };
}
function logged(into: Seen[], handler: Handler): Handler {
  return async (request) => {
    const copy = request.clone();
    const response = await handler(request);
    received.push(JSON.stringify({ method: request.method, headers: Object.fromEntries(request.headers), body: await copy.text() }));
    into.push({
      method: request.method,
      origin: request.headers.get("origin"),
      type: request.headers.get("content-type"),
      status: response.status,
    });
    return response;
  };
}

async function openPage(origin: Served, relayUrl: string): Promise<Page> {
  const context = await browser.newContext();
  contexts.push(context);
  context.on("request", (request) => {
    // allHeaders() fails for a request still in flight when its page closes: then the
    // provisional headers (what the page itself set) are what there is.
    const headers = request.allHeaders().catch(() => request.headers());
    const type = request.resourceType();
    requests.push(headers.then((headers) => JSON.stringify({ url: request.url(), type, headers, body: request.postData() })));
  });
  const page = await context.newPage();
  await page.goto(`${origin.url}/?relay=${encodeURIComponent(relayUrl)}`);
  await page.waitForFunction(() => "beacons" in window);
  return page;
}

/** What the page's own script offers (window.beacons). */
interface Beacons {
  string(points: Point[]): boolean;
  blob(points: Point[]): boolean;
  onExit(points: Point[]): void;
}
// (page.evaluate serializes these functions into the page: no closures.)
const sendString = (page: Page, points: Point[]) =>
  page.evaluate((p) => (window as unknown as { beacons: Beacons }).beacons.string(p), points);
const sendBlob = (page: Page, points: Point[]) => page.evaluate((p) => (window as unknown as { beacons: Beacons }).beacons.blob(p), points);
const armExit = (page: Page, points: Point[]) =>
  page.evaluate((p) => (window as unknown as { beacons: Beacons }).beacons.onExit(p), points);

async function closeRunningUnload(page: Page): Promise<void> {
  const closed = new Promise<void>((r) => page.once("close", () => r()));
  await page.close({ runBeforeUnload: true });
  await closed;
}

/** Waits for `expected` to arrive, then a little longer, and checks each arrived exactly once. */
async function expectArrivedOnce(expected: Point[]): Promise<void> {
  await until(`${expected.length} points at the backend`, () => upstream.backend.points().length >= expected.length);
  await sleep(500); // a duplicate would show up here
  expect(canonical(upstream.backend.points())).toEqual(canonical(withTags(expected, SERVER_TAGS)));
}

beforeAll(async () => {
  requireFile(resolve(root, "dist/esm/relay.js"), "build first: `npm run build` (npm test does)");
  requireFile(resolve(root, "dist/bundle/relay.js"), "build first: `npm run build` (npm test does)");
  const { createRelay } = (await import(pathToFileURL(resolve(root, "dist/esm/relay.js")).href)) as RelayModule;
  upstream = await startUpstream();
  pageA = await serve(pageServer());
  pageC = await serve(pageServer());
  // Pass-through: these tests follow each page's requests to the upstream.
  const handler = createRelay({ token: TOKEN, endpoint: upstream.url, allowedOrigins: [pageA.url], tags: SERVER_TAGS, aggregate: false });
  relay = await serve(logged(seen.relay, (request) => handler(request)));
  wildcard = await serve(
    logged(seen.wildcard, async (request) => {
      // What a hand-written tunnel often does: `*` and no credentials flag.
      const response = await handler(request);
      const headers = new Headers(response.headers);
      if (headers.has("access-control-allow-origin")) headers.set("access-control-allow-origin", "*");
      headers.delete("access-control-allow-credentials");
      return new Response(response.body, { status: response.status, headers });
    }),
  );
  servers.push(pageA, pageC, relay, wildcard);
  browser = await launchChromium();
});

afterAll(async () => {
  for (const context of contexts) await context.close().catch(() => {});
  await browser?.close();
  for (const server of servers) await server.close();
  await upstream?.close();
});

beforeEach(() => {
  upstream.backend.reset();
  seen.relay.length = 0;
  seen.wildcard.length = 0;
});

describe("Chromium page on another origin → relay → backend", () => {
  it("(a) a text/plain string beacon of the compact format arrives, every point exactly once, without a preflight", async () => {
    const page = await openPage(pageA, `${relay.url}/apptuit`);
    const points = makePoints("web_beacon_string", 60, T, { page: "/checkout" });
    expect(await sendString(page, points)).toBe(true);
    await expectArrivedOnce(points);
    expect(seen.relay).toEqual([{ method: "POST", origin: pageA.url, type: "text/plain;charset=UTF-8", status: 204 }]);
    await page.close();
  });

  it("(b) a JSON Blob beacon arrives: preflight answered with the echoed origin and Allow-Credentials", async () => {
    const page = await openPage(pageA, `${relay.url}/apptuit`);
    const points = makePoints("web_beacon_blob", 40, T, { page: "/product" });
    expect(await sendBlob(page, points)).toBe(true);
    await expectArrivedOnce(points);
    expect(seen.relay).toEqual([
      { method: "OPTIONS", origin: pageA.url, type: null, status: 204 },
      { method: "POST", origin: pageA.url, type: "application/json", status: 204 },
    ]);
    await page.close();
  });

  it("(b, control) the same Blob beacon is dropped by Chromium when the answer says `*` without credentials", async () => {
    const page = await openPage(pageA, `${wildcard.url}/apptuit`);
    expect(await sendBlob(page, makePoints("web_beacon_wildcard", 10, T))).toBe(true);
    await until("the preflight", () => seen.wildcard.length >= 1);
    await sleep(1_000);
    // The preflight came and went; the browser never sent the POST.
    expect(seen.wildcard).toEqual([{ method: "OPTIONS", origin: pageA.url, type: null, status: 204 }]);
    expect(upstream.backend.stats().requests).toBe(0);
    await page.close();
  });

  it("(c) a keepalive fetch (application/json) sent from pagehide/visibilitychange on close arrives exactly once", async () => {
    const page = await openPage(pageA, `${relay.url}/apptuit`);
    const points = makePoints("web_unload", 45, T, { page: "/thanks" });
    await armExit(page, points);
    expect(upstream.backend.stats().requests).toBe(0);
    await closeRunningUnload(page);
    await expectArrivedOnce(points);
    expect(seen.relay.filter((s) => s.method === "POST")).toEqual([
      { method: "POST", origin: pageA.url, type: "application/json", status: 204 },
    ]);
  });

  it("a page on an origin that is not allowed gets nothing forwarded (string beacon, Blob beacon, keepalive on close)", async () => {
    const page = await openPage(pageC, `${relay.url}/apptuit`);
    expect(await sendString(page, makePoints("web_evil_string", 5, T))).toBe(true);
    expect(await sendBlob(page, makePoints("web_evil_blob", 5, T))).toBe(true);
    await armExit(page, makePoints("web_evil_unload", 5, T));
    await closeRunningUnload(page);
    // Three requests reach the relay (the string beacon, two preflights) and all get 403.
    await until("the refused requests", () => seen.relay.length >= 3);
    await sleep(1_000);
    expect(seen.relay.length).toBeGreaterThanOrEqual(3);
    for (const one of seen.relay) expect(one).toMatchObject({ origin: pageC.url, status: 403 });
    expect(seen.relay.filter((s) => s.method === "POST")).toEqual([
      { method: "POST", origin: pageC.url, type: "text/plain;charset=UTF-8", status: 403 },
    ]);
    expect(upstream.backend.stats().requests).toBe(0);
  });

  it("no token anywhere on the page side: not in what the page servers sent, not in any request a page made", async () => {
    const all = await Promise.all(requests);
    // The scans cover the beacons: Playwright saw the 5 sent from open pages; the relays saw
    // every request, preflights and the keepalive fetches sent on close included (4 POSTs:
    // the browser never sent the 3 whose preflight failed).
    const toRelays = all.filter((r) => r.includes(`"url":"${relay.url}/apptuit"`) || r.includes(`"url":"${wildcard.url}/apptuit"`));
    // Each request by what sent it, where from and to: every open-page beacon exactly once.
    // The keepalive fetches sent while a page closes may or may not be among them (Playwright
    // drops a request whose frame is already detached, which depends on how the close is timed).
    const sent = toRelays.map((r) => {
      const { url, type, headers, body } = JSON.parse(r) as {
        url: string;
        type: string;
        headers: Record<string, string>;
        body: string | null;
      };
      const to = url.startsWith(`${relay.url}/`) ? "relay" : "wildcard";
      const from = headers.referer?.startsWith(`${pageA.url}/`)
        ? "A"
        : headers.referer?.startsWith(`${pageC.url}/`)
          ? "C"
          : `? ${headers.referer}`;
      // Chromium hands Playwright the body of a string beacon (not of a Blob one): check it too.
      const carries = body === null ? "" : ` ${METRICS.filter((name) => body.includes(`"${name}"`)).join("+")}`;
      return `${type} ${from} → ${to} (${headers["content-type"]})${carries}`;
    });
    const onClose = [/^fetch A → relay \(application\/json\)( web_unload)?$/, /^fetch C → relay \(application\/json\)( web_evil_unload)?$/];
    expect(sent.filter((s) => !onClose.some((pattern) => pattern.test(s))).sort()).toEqual(
      [
        "ping A → relay (text/plain;charset=UTF-8) web_beacon_string",
        "ping A → relay (application/json)",
        "ping A → wildcard (application/json)",
        "ping C → relay (text/plain;charset=UTF-8) web_evil_string",
        "ping C → relay (application/json)",
      ].sort(),
    );
    for (const pattern of onClose) expect(sent.filter((s) => pattern.test(s)).length).toBeLessThanOrEqual(1);
    expect(received.filter((r) => r.startsWith('{"method":"POST"'))).toHaveLength(4);
    expect(received.filter((r) => r.includes("web_unload"))).toHaveLength(1);
    expect(served.some((body) => body.includes("encodeCompact"))).toBe(true);
    // … and none of it, page or request, holds the token.
    for (const request of [...all, ...received]) expect(request).not.toContain(TOKEN);
    for (const body of served) expect(body).not.toContain(TOKEN);
    // While the relay did send it upstream (the backend requires it).
    expect(new Set(upstream.authorizations)).toEqual(new Set([`Bearer ${TOKEN}`]));
  });
});
