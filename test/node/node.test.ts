// apptuit/node in the real Node 24 binary, importing the ESM build (dist/esm/node.js) whose
// dependencies resolve from the repository's node_modules.
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type LocalBackend, TOKEN, requireFile, root, run, startBackend } from "./process";
import { type FixtureConfig, defineSharedTests } from "./suite";

let node: string;
let entry: string;
const fixture = join(root, "test/node/fixtures/app.mjs");

beforeAll(() => {
  node = requireFile(
    join(root, "node_modules/.bin/node"),
    "install the dev dependencies with `npm ci` (the `node@24` package provides it)",
  );
  entry = pathToFileURL(requireFile(join(root, "dist/esm/node.js"), "build first: `npm run build`")).href;
});

const command = (config: FixtureConfig): [string, string[]] => [node, [fixture, entry, JSON.stringify(config)]];

describe("apptuit/node in Node", () => {
  defineSharedTests({
    command,
    // Our handler re-raises the signal once it has flushed, so the parent sees a signal death.
    expectEndedBySigterm: (finished) => expect(finished.signal).toBe("SIGTERM"),
  });

  describe("process specifics", () => {
    let local: LocalBackend;
    beforeEach(async () => {
      local = await startBackend();
    });
    afterEach(async () => {
      await local.close();
    });

    it("leaves SIGTERM to the application's own listener after flushing", async () => {
      const script = `
        const sdk = await import(${JSON.stringify(entry)});
        const { registry } = sdk.init({ interval: 60_000, signals: ["SIGTERM"] });
        registry.counter("jobs.done", { kind: "fixture" }).inc(3);
        const keep = setInterval(() => {}, 1000);
        process.on("SIGTERM", () => setTimeout(() => { console.log("APP HANDLER"); clearInterval(keep); }, 200));
        console.log("READY");`;
      const finished = await run(node, ["--input-type=module", "-e", script], {
        env: { APPTUIT_API_TOKEN: TOKEN, APPTUIT_ENDPOINT: local.url, APPTUIT_TAGS: "team: core" },
        onLine: (line, kill) => line === "READY" && kill("SIGTERM"),
      });
      expect(finished.killed).toBe(false);
      expect({ code: finished.code, signal: finished.signal }).toEqual({ code: 0, signal: null });
      expect(finished.stdout).toContain("APP HANDLER");
      const counts = local.backend.points().filter((p) => p.metric === "jobs_done_count");
      expect(counts.map((p) => p.value)).toEqual([3]);
    });

    it("reads nothing and starts nothing at import time", async () => {
      const script = `
        process.on("beforeExit", () => {});
        const before = process.listenerCount("beforeExit");
        await import(${JSON.stringify(entry)});
        console.log(JSON.stringify({ added: process.listenerCount("beforeExit") - before, handles: process.getActiveResourcesInfo().filter((r) => r === "Timeout") }));`;
      const finished = await run(node, ["--input-type=module", "-e", script], { env: { APPTUIT_TAGS: "broken" } });
      expect(finished.stderr).toBe("");
      expect(JSON.parse(finished.stdout)).toEqual({ added: 0, handles: [] });
    });
  });
});
