// The shared logic of apptuit/deno and apptuit/node (src/platforms/server) with a fake
// runtime: what the real-runtime tests cannot steer precisely (hook order, re-arming,
// precedence, timeouts). The client talks to the embedded backend through `fetch`.
import { afterEach, describe, expect, it, vi } from "vitest";
import { createBackend } from "../../../src/backend/index";
import { ApptuitConfigError } from "../../../src/core/errors/config-error";
import { MetricsRegistry } from "../../../src/registry/registry";
import { initServer } from "../../../src/platforms/server/init";
import type { ServerInitOptions } from "../../../src/platforms/server/options";
import type { ExitSignal, ServerRuntime } from "../../../src/platforms/server/runtime";

const TOKEN = "unit-token";

function fakeRuntime(env: Record<string, string | undefined> = {}, denied: string[] = []) {
  const idle: ((() => Promise<void> | undefined) | undefined)[] = [];
  const signals = new Map<ExitSignal, () => void>();
  const ticks: (() => void)[] = [];
  const exits: ExitSignal[] = [];
  const hostname = vi.fn(() => "fake-host");
  const runtime: ServerRuntime = {
    readEnv: () => ({ env, denied, hint: "grant it" }),
    hostname,
    timers: {
      setInterval: (fn) => ticks.push(fn),
      clearInterval: () => {},
    },
    onIdle(handler) {
      const i = idle.push(handler) - 1;
      return () => (idle[i] = undefined);
    },
    onSignal(signal, handler) {
      signals.set(signal, handler);
      return () => signals.delete(signal);
    },
    exitForSignal: (signal) => exits.push(signal),
  };
  /** What the runtime would do when the loop is empty: call every idle hook. */
  const goIdle = () => idle.flatMap((h) => (h ? [h()] : []));
  return { runtime, goIdle, signals, ticks, exits, hostname };
}

function setup(options: ServerInitOptions = {}, env: Record<string, string | undefined> = {}, denied: string[] = []) {
  const backend = createBackend({ token: TOKEN });
  const fake = fakeRuntime(env, denied);
  const handle = initServer(
    {
      token: TOKEN,
      endpoint: "http://backend.test",
      clientOptions: { fetch: (input, init) => backend.fetch(new Request(input, init)) },
      onError: null,
      ...options,
    },
    fake.runtime,
  );
  handle.registry.counter("hits", { route: "/" }).inc(2);
  return { backend, handle, ...fake };
}

const hitsTags = (backend: ReturnType<typeof createBackend>) =>
  backend
    .points()
    .filter((p) => p.metric === "hits_count")
    .map((p) => p.tags);

describe("initServer", () => {
  afterEach(() => vi.useRealTimers());

  it("flushes on the first idle event only, until an interval tick shows the process lived on", async () => {
    const { backend, goIdle, ticks } = setup();
    const first = goIdle();
    expect(first).toHaveLength(1);
    expect(first[0]).toBeInstanceOf(Promise);
    await first[0];
    expect(backend.stats().puts).toBe(1);
    // The runtime raises the idle event again after the flush's work: decline, so it exits.
    expect(goIdle()).toEqual([undefined]);
    expect(ticks).toHaveLength(1);
    ticks[0]!(); // a tick: the process kept running, so the next idle may flush again
    await vi.waitFor(() => expect(backend.stats().puts).toBe(2), { timeout: 4_000 }); // a real flush: allow for a loaded machine
    const again = goIdle();
    expect(again[0]).toBeInstanceOf(Promise);
    await again[0];
    expect(backend.stats().puts).toBe(3);
  });

  it("installs no idle hook with flushOnExit: false and no signal hook by default", () => {
    const { goIdle, signals } = setup({ flushOnExit: false });
    expect(goIdle()).toEqual([]);
    expect([...signals.keys()]).toEqual([]);
  });

  it("on a signal: removes its hooks, flushes, then ends the process", async () => {
    const { backend, signals, exits, goIdle } = setup({ signals: true });
    expect([...signals.keys()].sort()).toEqual(["SIGINT", "SIGTERM"]);
    signals.get("SIGTERM")!();
    expect([...signals.keys()]).toEqual([]);
    expect(goIdle()).toEqual([]);
    await vi.waitFor(() => expect(exits).toEqual(["SIGTERM"]), { timeout: 4_000 });
    expect(
      backend
        .points()
        .filter((p) => p.metric === "hits_count")
        .map((p) => p.value),
    ).toEqual([2]);
  });

  it("on a signal, exits after exitTimeout when the flush hangs", async () => {
    vi.useFakeTimers();
    const fake = fakeRuntime();
    const handle = initServer(
      {
        token: TOKEN,
        endpoint: "http://x.test",
        clientOptions: { fetch: () => new Promise<Response>(() => {}) },
        signals: ["SIGINT"],
        exitTimeout: 2_000,
        onError: null,
      },
      fake.runtime,
    );
    handle.registry.counter("hits", { a: "b" }).inc();
    fake.signals.get("SIGINT")!();
    await vi.advanceTimersByTimeAsync(1_999);
    expect(fake.exits).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(fake.exits).toEqual(["SIGINT"]);
  });

  it("shutdown() is idempotent, flushes once and removes the hooks", async () => {
    const { backend, handle, goIdle, signals } = setup({ signals: ["SIGTERM"] });
    const a = handle.shutdown();
    expect(handle.shutdown()).toBe(a);
    await a;
    expect(backend.stats().puts).toBe(1);
    expect(goIdle()).toEqual([]);
    expect(signals.size).toBe(0);
  });

  it("adds host from the runtime; an explicit host anywhere, hostTag or APPTUIT_DISABLE_HOST_TAG wins", async () => {
    const cases: [ServerInitOptions, Record<string, string>, string | undefined][] = [
      [{}, {}, "fake-host"],
      [{ hostTag: "given" }, {}, "given"],
      [{ hostTag: "given" }, { APPTUIT_DISABLE_HOST_TAG: "true" }, "given"],
      [{ hostTag: false }, {}, undefined],
      [{}, { APPTUIT_DISABLE_HOST_TAG: "yes" }, undefined],
      [{ tags: { host: "reporter" } }, {}, "reporter"],
      [{ globalTags: { host: "global" } }, {}, "global"],
      [{}, { APPTUIT_TAGS: "host: env" }, "env"],
    ];
    for (const [options, env, host] of cases) {
      const { backend, handle } = setup(options, env);
      await handle.shutdown();
      expect(hitsTags(backend)[0]?.host, JSON.stringify([options, env])).toBe(host);
    }
  });

  it("does not ask for the host name when it will not be used", () => {
    expect(setup({ hostTag: false }).hostname).not.toHaveBeenCalled();
    expect(setup({ tags: { host: "h" } }).hostname).not.toHaveBeenCalled();
    expect(setup({}).hostname).toHaveBeenCalledTimes(1);
  });

  it("reads token, endpoint and tags from the environment when options lack them", async () => {
    const backend = createBackend({ token: TOKEN });
    const fake = fakeRuntime({ APPTUIT_API_TOKEN: TOKEN, APPTUIT_ENDPOINT: "http://env-endpoint.test", APPTUIT_TAGS: "dc: x1" });
    const seen: string[] = [];
    const handle = initServer(
      {
        clientOptions: {
          fetch: (input, init) => {
            const r = new Request(input, init);
            seen.push(new URL(r.url).origin);
            return backend.fetch(r);
          },
        },
        onError: null,
      },
      fake.runtime,
    );
    handle.registry.counter("hits").inc();
    await handle.shutdown();
    expect(seen).toEqual(["http://env-endpoint.test"]);
    expect(hitsTags(backend)).toEqual([{ dc: "x1", host: "fake-host" }]);
  });

  it("reads apptuit-py's deprecated APPTUIT_PY_TOKEN and APPTUIT_PY_TAGS when the current names are unset", async () => {
    vi.spyOn(console, "warn").mockImplementation(() => {});
    const backend = createBackend({ token: TOKEN });
    const fake = fakeRuntime({ APPTUIT_PY_TOKEN: TOKEN, APPTUIT_PY_TAGS: "dc: old", APPTUIT_DISABLE_HOST_TAG: "y" });
    const handle = initServer(
      { endpoint: "http://backend.test", clientOptions: { fetch: (i, o) => backend.fetch(new Request(i, o)) }, onError: null },
      fake.runtime,
    );
    handle.registry.counter("hits").inc();
    await handle.shutdown();
    expect(hitsTags(backend)).toEqual([{ dc: "old" }]);
    vi.restoreAllMocks();
  });

  it("defaults to cumulative temporality and lets the option override it", async () => {
    const cumulative = setup();
    await cumulative.handle.reporter.flush();
    await cumulative.handle.reporter.flush();
    expect(
      cumulative.backend
        .points()
        .filter((p) => p.metric === "hits_count")
        .map((p) => p.value),
    ).toEqual([2, 2]);
    const delta = setup({ temporality: "delta" });
    await delta.handle.reporter.flush();
    await delta.handle.reporter.flush();
    expect(
      delta.backend
        .points()
        .filter((p) => p.metric === "hits_count")
        .map((p) => p.value),
    ).toEqual([2, 0]);
  });

  it("uses a given registry and client as they are", async () => {
    const registry = new MetricsRegistry();
    const other = setup();
    const { handle } = setup({ registry, client: other.handle.client });
    expect(handle.registry).toBe(registry);
    expect(handle.client).toBe(other.handle.client);
  });

  it("explains a missing token, and a denied environment as its cause", () => {
    const denied = fakeRuntime({}, ["APPTUIT_API_TOKEN"]);
    expect(() => initServer({}, denied.runtime)).toThrow(ApptuitConfigError);
    expect(() => initServer({}, denied.runtime)).toThrow(/^APPTUIT_API_TOKEN: no API token.*could not be read: grant it$/);
    const plain = fakeRuntime({});
    expect(() => initServer({}, plain.runtime)).toThrow(/^APPTUIT_API_TOKEN: no API token; pass `token`/);
    expect(() => initServer({}, plain.runtime)).not.toThrow(/could not be read/);
  });

  it("validates APPTUIT_TAGS and APPTUIT_DISABLE_HOST_TAG before starting anything", () => {
    const tags = fakeRuntime({ APPTUIT_TAGS: "a: 1, b" });
    expect(() => initServer({ token: TOKEN }, tags.runtime)).toThrow(/APPTUIT_TAGS: "b" is not a "key: value" pair/);
    expect(tags.ticks).toEqual([]);
    expect(tags.goIdle()).toEqual([]);
    const flag = fakeRuntime({ APPTUIT_DISABLE_HOST_TAG: "sometimes" });
    expect(() => initServer({ token: TOKEN }, flag.runtime)).toThrow(/APPTUIT_DISABLE_HOST_TAG: "sometimes" is not a boolean/);
  });

  it("takes the client's own options under clientOptions, and refuses them at the top level", async () => {
    const backend = createBackend({ token: TOKEN });
    const seen: string[] = [];
    const fetch = (input: RequestInfo | URL, init?: RequestInit) => {
      const r = new Request(input, init);
      seen.push(new URL(r.url).origin);
      return backend.fetch(r);
    };
    const handle = initServer(
      { token: TOKEN, endpoint: "http://query.test", onError: null, clientOptions: { fetch, writeEndpoint: "http://write.test" } },
      fakeRuntime().runtime,
    );
    handle.registry.counter("hits").inc();
    await handle.shutdown();
    expect(seen).toEqual(["http://write.test"]);
    // Plain JavaScript with the flat options of earlier versions: refused rather than ignored.
    const flat = { token: TOKEN, fetch, timeout: 1_000 } as ServerInitOptions;
    expect(() => initServer(flat, fakeRuntime().runtime)).toThrow(/^timeout, fetch: client options go under `clientOptions`/);
  });

  it("prefers env given in options over the runtime's", async () => {
    const fake = fakeRuntime({ APPTUIT_API_TOKEN: "from-runtime" });
    const backend = createBackend({ token: TOKEN });
    const handle = initServer(
      {
        env: { APPTUIT_API_TOKEN: TOKEN, APPTUIT_ENDPOINT: "http://e.test" },
        clientOptions: { fetch: (i, o) => backend.fetch(new Request(i, o)) },
        onError: null,
      },
      fake.runtime,
    );
    handle.registry.counter("hits", { a: "b" }).inc();
    await handle.shutdown();
    expect(backend.stats().puts).toBe(1);
    expect(backend.stats().rejected).toBe(0);
  });
});
