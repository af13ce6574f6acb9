import { setupServer } from "msw/node";
import { inspect } from "node:util";
import { expect } from "vitest";
import { Apptuit, type ApptuitOptions } from "../../../src/core";
import { PageClient } from "../../../src/platforms/browser/page-client";

export const TOKEN = "tok-SECRET-4242";
export const BASE = "https://apptuit.test";
export const QUERY_BASE = "https://query.apptuit.test";

export const server = setupServer();

/**
 * The client class under test: `Apptuit` (ky), or with `APPTUIT_HTTP=fetch` the script tag's
 * client on `fetch` alone (no ky), which must behave the same — the `unit-fetch-http` project
 * (vitest.config.ts) runs the client's suites that way.
 */
export const Client: typeof Apptuit = process.env.APPTUIT_HTTP === "fetch" ? (PageClient as unknown as typeof Apptuit) : Apptuit;

/** Fast retries so tests do not sleep on backoff. */
export function client(options: ApptuitOptions = {}): Apptuit {
  return new Client({ token: TOKEN, endpoint: BASE, retry: { limit: 2, delay: () => 5 }, ...options });
}

export interface Recorded {
  method: string;
  url: URL;
  headers: Headers;
  /** Body decoded with DecompressionStream when gzipped. */
  body: string;
}

/** Decodes a request body as the server would: gunzip via DecompressionStream when Content-Encoding is gzip. */
export async function readRequestBody(request: Request): Promise<string> {
  const bytes = new Uint8Array(await request.arrayBuffer());
  if (request.headers.get("content-encoding") !== "gzip") return new TextDecoder().decode(bytes);
  const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"));
  return new Response(stream).text();
}

export async function record(request: Request, into: Recorded[]): Promise<Recorded> {
  const r = { method: request.method, url: new URL(request.url), headers: request.headers, body: await readRequestBody(request.clone()) };
  into.push(r);
  return r;
}

/** Every error a test caught, to check afterwards that none of them mentions the token. */
export const caught: unknown[] = [];

export async function catchError(promise: Promise<unknown>): Promise<any> {
  try {
    await promise;
  } catch (error) {
    caught.push(error);
    return error;
  }
  throw new Error("expected a rejection");
}

export function catchSync(fn: () => unknown): any {
  try {
    fn();
  } catch (error) {
    caught.push(error);
    return error;
  }
  throw new Error("expected a throw");
}

/** String(), JSON, util.inspect (with causes) and stack of each error must not contain the token. */
export function expectNoToken(errors: readonly unknown[]): void {
  for (const error of errors) {
    const e = error as Error;
    for (const text of [String(e), e.message, e.stack ?? "", JSON.stringify(e), inspect(e, { depth: 8 })]) {
      expect(text).not.toContain(TOKEN);
    }
  }
}

export function points(n: number, extra: Partial<{ metric: string; tags: Record<string, string> }> = {}) {
  return Array.from({ length: n }, (_, i) => ({
    metric: extra.metric ?? "proc.cpu.percent",
    tags: extra.tags ?? { host: "a" },
    timestamp: 1_700_000_000 + i,
    value: i,
  }));
}
