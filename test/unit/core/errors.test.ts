import { http, HttpResponse, delay } from "msw";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import * as core from "../../../src/core";
import { Apptuit, ApptuitError } from "../../../src/core";
import { BASE, catchError, catchSync, client, expectNoToken, points, server, TOKEN } from "./helpers";

beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

const ERROR_CLASSES = [
  "ApptuitError",
  "ApptuitConfigError",
  "ApptuitValidationError",
  "ApptuitSendError",
  "ApptuitHttpError",
  "ApptuitAuthError",
  "ApptuitNetworkError",
  "ApptuitAbortError",
  "ApptuitResponseError",
] as const;

function respond(path: string, method: "get" | "post", fn: () => Response | Promise<Response>) {
  server.use(http[method](`${BASE}${path}`, fn));
}

describe("errors", () => {
  it("every class is exported, extends ApptuitError and has its own name", () => {
    for (const name of ERROR_CLASSES) {
      const Class = (core as Record<string, unknown>)[name] as new (...args: never[]) => Error;
      expect(Class, name).toBeTypeOf("function");
      expect(Class.prototype instanceof ApptuitError || Class === ApptuitError, name).toBe(true);
    }
  });

  it("no error of any type mentions the token, even when the server echoes it", async () => {
    const errors: unknown[] = [];
    errors.push(catchSync(() => new Apptuit({ env: { APPTUIT_TAGS: "a: b" } })));
    errors.push(catchSync(() => new Apptuit({ token: TOKEN, env: { APPTUIT_TAGS: "x" } })));
    errors.push(catchSync(() => new Apptuit({ token: `${TOKEN} ` })));
    errors.push(catchSync(() => client().prepare([{ metric: "m", timestamp: 1, value: Number.NaN }])));

    respond("/api/put", "post", () =>
      HttpResponse.json({ success: 0, failed: 1, errors: [{ datapoint: {}, error: `bad ${TOKEN}` }] }, { status: 400 }),
    );
    errors.push(await catchError(client().send(points(1))));
    respond("/api/put", "post", () => new HttpResponse(`busy ${TOKEN}`, { status: 503 }));
    errors.push(await catchError(client({ retry: 0 }).send(points(1))));
    respond("/api/put", "post", () => HttpResponse.json({ error: `token ${TOKEN} refused` }, { status: 401 }));
    errors.push(await catchError(client().send(points(1))));
    respond("/api/put", "post", () => HttpResponse.error());
    errors.push(await catchError(client({ retry: 0 }).send(points(1))));
    respond("/api/put", "post", async () => (await delay(300), new HttpResponse(null, { status: 204 })));
    errors.push(await catchError(client({ retry: 0, timeout: 20 }).send(points(1))));
    errors.push(await catchError(client().send(points(1), { signal: AbortSignal.abort() })));
    respond("/api/query", "get", () => HttpResponse.json({ outputs: [{ id: TOKEN, result: 7 }] }));
    errors.push(await catchError(client().query("q", { start: 1 })));
    respond("/api/query", "get", () => new HttpResponse(`oops ${TOKEN}`, { status: 200 }));
    errors.push(await catchError(client().query("q", { start: 1 })));
    respond("/prometheus/api/v1/query", "get", () =>
      HttpResponse.json({ status: "error", errorType: "bad_data", error: TOKEN }, { status: 422 }),
    );
    errors.push(await catchError(client().promQueryInstant("q")));

    const names = new Set(errors.map((e) => (e as Error).name));
    for (const name of ERROR_CLASSES.slice(1)) expect(names, name).toContain(name);
    for (const e of errors) {
      expect(e).toBeInstanceOf(ApptuitError);
      expect((e as Error).name).toBe((e as Error).constructor.name);
    }
    // Server-echoed tokens are redacted; the SendError's `errors` keep the server's own data.
    expectNoToken(errors.filter((e) => !(e instanceof core.ApptuitSendError)));
    expect((errors[4] as core.ApptuitSendError).message).not.toContain(TOKEN);
  });
});
