// Shared fixture of the Chromium tests: one node:http server on 127.0.0.1 serving the test
// pages, the built files (dist/), the embedded backend (/api/*) and a relay (/apptuit)
// that forwards to that backend with a token the pages never see. Every request is logged
// (headers and body) so tests can prove what the page sent, and what it did not.
import { readFile } from "node:fs/promises";
import { extname, join, resolve } from "node:path";
import type { Browser, Page } from "playwright-core";
import { createBackend, type Backend, type StoredPoint } from "../../src/backend";
import { createRelay, type RelayHandler, type RelayOptions } from "../../src/relay";
import { launchChromium } from "../harness/chromium";
import { serve, type Served } from "../harness/serve";

export const TOKEN = "tok-BROWSER-SECRET-0123456789";
const root = resolve(import.meta.dirname, "../..");
const TYPES: Record<string, string> = { ".js": "text/javascript", ".html": "text/html", ".map": "application/json" };

export interface LoggedRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: string;
}

export interface BrowserFixture {
  browser: Browser;
  server: Served;
  backend: Backend;
  url: string;
  /** Pages by path, e.g. `pages.set("/direct", html)`. */
  pages: Map<string, string>;
  log: LoggedRequest[];
  relay: RelayHandler;
  close(): Promise<void>;
}

/**
 * `relay`: options of the relay; by default it passes each page's deltas through (these
 * tests are about what one page delivers; the aggregating tests turn it on).
 */
export async function startFixture(options: { relay?: Partial<RelayOptions> } = {}): Promise<BrowserFixture> {
  const backend = createBackend({ token: TOKEN });
  const pages = new Map<string, string>();
  const log: LoggedRequest[] = [];
  let origin = "";
  const relay = createRelay({
    token: TOKEN,
    endpoint: "http://backend.invalid",
    rateLimit: false,
    // The relay's client talks to the backend in-process (same as over the network, minus a socket).
    clientOptions: { fetch: (input, init) => backend.fetch(new Request(input, init)), retry: 0 },
    onError: null,
    aggregate: false,
    ...options.relay,
  });
  const server = await serve(async (request) => {
    const url = new URL(request.url);
    const body = request.method === "POST" ? await request.clone().text() : "";
    log.push({ method: request.method, path: url.pathname + url.search, headers: Object.fromEntries(request.headers), body });
    if (url.pathname === "/apptuit") return relay(request);
    if (url.pathname.startsWith("/api/")) return backend.fetch(request);
    if (url.pathname.startsWith("/dist/")) {
      const file = join(root, url.pathname);
      if (!file.startsWith(join(root, "dist"))) return new Response("no", { status: 403 });
      try {
        return new Response(await readFile(file), { headers: { "content-type": TYPES[extname(file)] ?? "application/octet-stream" } });
      } catch {
        return new Response("not found", { status: 404 });
      }
    }
    const html = pages.get(url.pathname);
    if (html !== undefined) return new Response(html.replaceAll("%ORIGIN%", origin), { headers: { "content-type": "text/html" } });
    if (url.pathname === "/favicon.ico") return new Response(null, { status: 204 });
    if (url.pathname === "/blank")
      return new Response("<!doctype html><title>blank</title><p>away", { headers: { "content-type": "text/html" } });
    return new Response("not found", { status: 404 });
  });
  origin = server.url;
  const browser = await launchChromium();
  return {
    browser,
    server,
    backend,
    url: server.url,
    pages,
    log,
    relay,
    async close() {
      await browser.close();
      await server.close();
    },
  };
}

/** Waits until `check()` holds (polling), or fails with the last value seen. */
export async function until<T>(read: () => T, check: (value: T) => boolean, ms = 10_000): Promise<T> {
  const end = Date.now() + ms;
  let value = read();
  while (!check(value)) {
    if (Date.now() > end) throw new Error(`timed out waiting; last value: ${JSON.stringify(value).slice(0, 500)}`);
    await new Promise((r) => setTimeout(r, 50));
    value = read();
  }
  return value;
}

/** Waits until no new point has arrived for `quietMs`. */
export async function settled(backend: Backend, quietMs = 700): Promise<StoredPoint[]> {
  let last = -1;
  let stableSince = Date.now();
  for (;;) {
    const n = backend.points().length;
    if (n !== last) {
      last = n;
      stableSince = Date.now();
    } else if (Date.now() - stableSince >= quietMs) {
      return backend.points();
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Opens a page and fails the test on any page error or console error. */
export async function open(fixture: BrowserFixture, path: string): Promise<{ page: Page; errors: string[] }> {
  const page = await fixture.browser.newPage();
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  page.on("console", (m) => {
    if (m.type() === "error" || m.type() === "warning") errors.push(m.text());
  });
  await page.goto(fixture.url + path);
  return { page, errors };
}

/** `metric{k=v,…}@timestamp` — one identity per stored point. */
export function identity(p: StoredPoint): string {
  const tags = Object.keys(p.tags)
    .sort()
    .map((k) => `${k}=${p.tags[k]}`)
    .join(",");
  return `${p.metric}{${tags}}@${p.timestamp}`;
}
