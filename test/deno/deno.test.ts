// apptuit/deno in the real Deno binary, importing the self-contained bundle
// (dist/bundle/deno.js) by file URL: no node_modules, no import map.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  type LocalBackend,
  TOKEN,
  expectFinalFlush,
  expectSendAndQuery,
  reporterPoints,
  requireFile,
  root,
  run,
  startBackend,
} from "../node/process";
import { type FixtureConfig, defineSharedTests } from "../node/suite";

let deno: string;
let dir: string;
let program: string;
const ALL = ["--allow-net=127.0.0.1", "--allow-env", "--allow-sys=hostname"];

beforeAll(() => {
  deno = requireFile(
    join(root, "node_modules/.bin/deno"),
    "install the dev dependencies with `npm ci` (the `deno` package provides the binary)",
  );
  const bundle = pathToFileURL(requireFile(join(root, "dist/bundle/deno.js"), "build first: `npm run build`")).href;
  const app = pathToFileURL(join(root, "test/deno/fixtures/app.js")).href;
  dir = mkdtempSync(join(tmpdir(), "apptuit-deno-"));
  program = join(dir, "main.js");
  writeFileSync(
    program,
    `import * as sdk from ${JSON.stringify(bundle)};\nimport { main } from ${JSON.stringify(app)};\nawait main(sdk);\n`,
  );
});
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const denoEnv = { DENO_NO_UPDATE_CHECK: "1" };
const command = (config: FixtureConfig, permissions = ALL): [string, string[]] => [
  deno,
  ["run", "--no-prompt", ...permissions, program, JSON.stringify(config)],
];

describe("apptuit/deno in Deno", () => {
  defineSharedTests({
    command: (config) => command(config),
    env: denoEnv,
    // Deno cannot re-raise a signal to itself without --allow-run: it exits with 128 + 15.
    expectEndedBySigterm: (finished) => expect({ code: finished.code, signal: finished.signal }).toEqual({ code: 143, signal: null }),
  });

  describe("permissions", () => {
    let local: LocalBackend;
    beforeEach(async () => {
      local = await startBackend();
    });
    afterEach(async () => {
      await local.close();
    });

    it("without --allow-env, init fails with an error naming APPTUIT_API_TOKEN and the flag, and never prompts", async () => {
      const [cmd, args] = command({ n: 1 }, ["--allow-net=127.0.0.1"]);
      const finished = await run(cmd, args, { env: { ...denoEnv, APPTUIT_API_TOKEN: TOKEN, APPTUIT_ENDPOINT: local.url } });
      expect(finished.killed).toBe(false);
      expect(finished.code).not.toBe(0);
      expect(finished.stderr).toContain("ApptuitConfigError: APPTUIT_API_TOKEN: no API token");
      expect(finished.stderr).toContain("--allow-env=APPTUIT_API_TOKEN");
      expect(finished.stderr).not.toContain(TOKEN);
      expect(local.backend.stats().requests).toBe(0);
    });

    it("without --allow-env or --allow-sys, options alone suffice and no host tag is added", async () => {
      const [cmd, args] = command({ n: 8, send: true, init: { token: TOKEN, endpoint: local.url, globalTags: { app: "deno" } } }, [
        "--allow-net=127.0.0.1",
      ]);
      const finished = await run(cmd, args, { env: { ...denoEnv, APPTUIT_TAGS: "not read: because denied" } });
      expect({ killed: finished.killed, code: finished.code, stderr: finished.stderr }).toEqual({ killed: false, code: 0, stderr: "" });
      expectFinalFlush(local.backend, 8);
      expectSendAndQuery(finished, local.backend);
      for (const p of reporterPoints(local.backend)) expect(p.tags).not.toHaveProperty("host");
      for (const p of local.backend.points()) expect(p.tags).toMatchObject({ app: "deno" });
      for (const p of local.backend.points()) expect(p.tags).not.toHaveProperty("not read");
    });

    it("reads only the granted variables with --allow-env=<names>", async () => {
      const [cmd, args] = command({ n: 2 }, [
        "--allow-net=127.0.0.1",
        "--allow-env=APPTUIT_API_TOKEN,APPTUIT_ENDPOINT,APPTUIT_TAGS",
        "--allow-sys=hostname",
      ]);
      const finished = await run(cmd, args, {
        env: { ...denoEnv, APPTUIT_API_TOKEN: TOKEN, APPTUIT_ENDPOINT: local.url, APPTUIT_TAGS: "team: deno" },
      });
      expect({ killed: finished.killed, code: finished.code, stderr: finished.stderr }).toEqual({ killed: false, code: 0, stderr: "" });
      expectFinalFlush(local.backend, 2);
      for (const p of reporterPoints(local.backend)) expect(p.tags.team).toBe("deno");
    });
  });
});
