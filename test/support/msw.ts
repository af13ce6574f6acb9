import { http, type HttpHandler } from "msw";
import { setupServer, type SetupServer } from "msw/node";
import { afterAll, afterEach, beforeAll } from "vitest";
import { createBackend, type Backend, type BackendOptions } from "../../src/backend";

/** Base URL the msw helpers intercept unless told otherwise. */
export const DEFAULT_BASE_URL = "http://apptuit.test";

/** An msw handler that forwards every request under `baseUrl` to the embedded backend. */
export function backendHandler(backend: Backend, baseUrl = DEFAULT_BASE_URL): HttpHandler {
  return http.all(`${baseUrl.replace(/\/+$/, "")}/*`, ({ request }) => backend.fetch(request));
}

/** An msw server (not yet listening) whose only handler is the backend at `baseUrl`. */
export function setupBackendServer(backend: Backend, baseUrl = DEFAULT_BASE_URL): SetupServer {
  return setupServer(backendHandler(backend, baseUrl));
}

export interface BackendFixture {
  backend: Backend;
  server: SetupServer;
  baseUrl: string;
}

/**
 * For a test file: creates a backend and an msw server, listens before all tests (unhandled
 * requests are errors), resets handlers and the backend after each test, closes at the end.
 * Real `fetch` calls to `baseUrl` then reach the backend.
 */
export function useBackend(options: BackendOptions & { baseUrl?: string } = {}): BackendFixture {
  const { baseUrl = DEFAULT_BASE_URL, ...backendOptions } = options;
  const backend = createBackend(backendOptions);
  const server = setupBackendServer(backend, baseUrl);
  beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
  afterEach(() => {
    server.resetHandlers();
    backend.reset();
  });
  afterAll(() => server.close());
  return { backend, server, baseUrl };
}
