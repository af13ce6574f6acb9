// The public API's type tests (test/types/public-api.ts), compiled against the built
// package through its own exports map, under bundler and node16 module resolution.
import { execFile } from "node:child_process";
import { resolve } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";

const run = promisify(execFile);
const root = resolve(import.meta.dirname, "../..");

describe("public API types", () => {
  for (const mode of ["bundler", "node16"]) {
    it(`compile under ${mode} resolution, and misuse is rejected`, async () => {
      const result = await run(resolve(root, "node_modules/.bin/tsc"), ["-p", `test/types/tsconfig.${mode}.json`], { cwd: root }).then(
        () => "",
        (error: { stdout?: string; stderr?: string }) => `${error.stdout ?? ""}${error.stderr ?? ""}`,
      );
      expect(result).toBe("");
    });
  }
});
