// The behaviour `init()` must show in every long-lived runtime (Deno, Node), run against
// the real binary: each test starts a fresh backend and one fixture program.
import { hostname } from "node:os";
import { afterEach, beforeEach, expect, it } from "vitest";
import {
  type Finished,
  type LocalBackend,
  TOKEN,
  expectFinalFlush,
  expectSendAndQuery,
  reporterPoints,
  run,
  startBackend,
} from "./process";

export interface FixtureConfig {
  n: number;
  send?: boolean;
  init?: Record<string, unknown>;
  after?: "keepalive" | "shutdown-exit" | "exit";
}

export interface RuntimeUnderTest {
  /** The program and arguments that run the fixture with this config. */
  command(config: FixtureConfig): [string, string[]];
  /** Extra environment the runtime needs (e.g. DENO_NO_UPDATE_CHECK). */
  env?: Record<string, string>;
  /** How the runtime reports "ended by SIGTERM after our handler ran". */
  expectEndedBySigterm(finished: Finished): void;
}

export function defineSharedTests(runtime: RuntimeUnderTest): void {
  let local: LocalBackend;
  beforeEach(async () => {
    local = await startBackend();
  });
  afterEach(async () => {
    await local.close();
  });

  const env = (extra: Record<string, string> = {}) => ({
    ...runtime.env,
    APPTUIT_API_TOKEN: TOKEN,
    APPTUIT_ENDPOINT: local.url,
    ...extra,
  });
  const start = (config: FixtureConfig, extraEnv?: Record<string, string>, onLine?: Parameters<typeof run>[2]["onLine"]) => {
    const [command, args] = runtime.command(config);
    return run(command, args, { env: env(extraEnv), ...(onLine ? { onLine } : {}) });
  };
  const expectClean = (finished: Finished) => {
    expect(finished.stderr).not.toContain(TOKEN);
    expect({ killed: finished.killed, code: finished.code, stderr: finished.stderr }).toEqual({ killed: false, code: 0, stderr: "" });
  };

  it("flushes everything recorded when the program ends, once, with a host tag; send and query work; the 60 s timer does not keep it alive", async () => {
    const finished = await start({ n: 7, send: true });
    expectClean(finished);
    expectFinalFlush(local.backend, 7);
    const points = reporterPoints(local.backend);
    expect(points.some((p) => p.metric.startsWith("apptuit_reporter_send"))).toBe(true);
    for (const p of points) expect(p.tags.host).toBe(hostname());
    expectSendAndQuery(finished, local.backend);
    // One put from the fixture's send, one from the exit flush: no second exit flush.
    expect(local.backend.stats().puts).toBe(2);
  });

  it("applies APPTUIT_TAGS to the reporter's points and the client's", async () => {
    const finished = await start({ n: 3, send: true }, { APPTUIT_TAGS: "team: core,region:eu-1" });
    expectClean(finished);
    expectFinalFlush(local.backend, 3);
    const all = local.backend.points();
    expect(all.length).toBeGreaterThan(1);
    for (const p of all) expect([p.tags.team, p.tags.region]).toEqual(["core", "eu-1"]);
  });

  it("fails init with an ApptuitConfigError naming APPTUIT_TAGS when it is malformed", async () => {
    const finished = await start({ n: 1 }, { APPTUIT_TAGS: "team core" });
    expect(finished.killed).toBe(false);
    expect(finished.code).not.toBe(0);
    expect(finished.stderr).toContain("ApptuitConfigError");
    expect(finished.stderr).toMatch(/APPTUIT_TAGS: "team core" is not a "key: value" pair/);
    expect(finished.stdout).not.toContain("READY");
    expect(local.backend.stats().requests).toBe(0);
  });

  it("leaves out the host tag with APPTUIT_DISABLE_HOST_TAG=true, and rejects a bad value naming the variable", async () => {
    // A point needs a tag (OpenTSDB): without the host tag, APPTUIT_TAGS supplies one.
    const finished = await start({ n: 2 }, { APPTUIT_DISABLE_HOST_TAG: "true", APPTUIT_TAGS: "team: core" });
    expectClean(finished);
    expectFinalFlush(local.backend, 2);
    for (const p of reporterPoints(local.backend)) {
      expect(p.tags).not.toHaveProperty("host");
      expect(p.tags.team).toBe("core");
    }

    const bad = await start({ n: 2 }, { APPTUIT_DISABLE_HOST_TAG: "perhaps" });
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain("ApptuitConfigError");
    expect(bad.stderr).toContain('APPTUIT_DISABLE_HOST_TAG: "perhaps" is not a boolean');
  });

  it("takes token, endpoint and tags from options over the environment; an explicit host tag wins", async () => {
    const finished = await start(
      { n: 4, init: { token: TOKEN, endpoint: local.url, globalTags: { app: "opts" }, tags: { role: "worker" }, hostTag: "box-1" } },
      { APPTUIT_API_TOKEN: "wrong-token", APPTUIT_ENDPOINT: "http://127.0.0.1:9", APPTUIT_TAGS: "app: env" },
    );
    expectClean(finished);
    expectFinalFlush(local.backend, 4);
    for (const p of reporterPoints(local.backend)) expect([p.tags.app, p.tags.role, p.tags.host]).toEqual(["opts", "worker", "box-1"]);
  });

  it("flushes on `await shutdown()` before an explicit exit", async () => {
    const finished = await start({ n: 5, after: "shutdown-exit" });
    expectClean(finished);
    expectFinalFlush(local.backend, 5);
  });

  it("with signals: true, flushes on SIGTERM and then ends as SIGTERM would", async () => {
    const finished = await start({ n: 6, after: "keepalive", init: { signals: true } }, {}, (line, kill) => {
      if (line === "READY") kill("SIGTERM");
    });
    expect(finished.killed).toBe(false);
    runtime.expectEndedBySigterm(finished);
    expectFinalFlush(local.backend, 6);
  });

  it("installs no signal handler by default: SIGTERM ends the program without a flush", async () => {
    const finished = await start({ n: 6, after: "keepalive" }, {}, (line, kill) => {
      if (line === "READY") kill("SIGTERM");
    });
    expect(finished.killed).toBe(false);
    expect(finished.signal).toBe("SIGTERM");
    expect(reporterPoints(local.backend)).toEqual([]);
  });
}
