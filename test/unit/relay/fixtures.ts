/** Shared setup of the relay tests: an upstream backend behind msw, a relay, request builders. */
import { expect } from "vitest";
import { createRelay, type RelayOptions } from "../../../src/relay";
import { useBackend } from "../../support/msw";

export const TOKEN = "relay-secret-TOKEN-7f3a9c";
export const UPSTREAM = "http://upstream.test";
export const RELAY_URL = "https://relay.example/apptuit";
export const PAGE = "https://shop.example";
// 20 minutes ago, in whole seconds: the relay accepts timestamps from an hour back to 10 minutes ahead.
export const T = Math.floor(Date.now() / 1000) - 1200;

/** Call once per test file (registers msw hooks). The backend requires the relay's token. */
export function useUpstream() {
  return useBackend({ token: TOKEN, baseUrl: UPSTREAM });
}

export function makeRelay(options: RelayOptions = {}) {
  return createRelay({
    token: TOKEN,
    endpoint: UPSTREAM,
    allowedOrigins: [PAGE],
    clientOptions: { retry: { limit: 1, delay: () => 0 } },
    onError: null,
    ...options,
  });
}

export interface PostOptions {
  origin?: string | null;
  type?: string | null;
  headers?: Record<string, string>;
}

/** A POST to the relay as a page on `PAGE` would send it (string beacon: text/plain). */
export function post(body: BodyInit | null, options: PostOptions = {}): Request {
  const headers: Record<string, string> = { ...options.headers };
  const origin = options.origin === undefined ? PAGE : options.origin;
  if (origin !== null) headers.origin = origin;
  const type = options.type === undefined ? "text/plain;charset=UTF-8" : options.type;
  if (type !== null) headers["content-type"] = type;
  const init: RequestInit & { duplex?: "half" } = { method: "POST", headers, body };
  if (body instanceof ReadableStream) init.duplex = "half";
  return new Request(RELAY_URL, init);
}

export function row(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return { metric: "web.page.load_time", timestamp: T, value: 812.5, tags: { page: "/checkout" }, ...overrides };
}

/** The token must not appear in any header or in the body of a response. */
export async function expectNoToken(response: Response): Promise<void> {
  const body = await response.clone().text();
  expect(body).not.toContain(TOKEN);
  for (const [name, value] of response.headers) {
    expect(`${name}: ${value}`).not.toContain(TOKEN);
  }
}
