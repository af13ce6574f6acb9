// Supply chain: what an application pulls in at run time. The production dependency
// closure is pinned to three packages with no dependencies of their own, so a new
// transitive dependency (and its advisories) cannot arrive unnoticed.
//
// `npm audit --omit=dev` is `npm run audit:prod`, not part of `npm test`: it needs the
// registry's audit API, which this project's machines cannot reach (the mirror answers
// 405), and an audit that did not run must not pass as a clean one.
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { promisify } from "node:util";
import { expect, it } from "vitest";

const root = resolve(import.meta.dirname, "../..");

interface Tree {
  dependencies?: Record<string, Tree & { version?: string }>;
}

it("runtime dependencies are exactly ky, valibot and web-vitals, none of which depends on anything", async () => {
  const { stdout } = await promisify(execFile)("npm", ["ls", "--omit=dev", "--all", "--json"], { cwd: root, maxBuffer: 16 * 1024 * 1024 });
  const tree = JSON.parse(stdout) as Tree;
  const direct = Object.keys(tree.dependencies ?? {}).sort();
  expect(direct).toEqual(["ky", "valibot", "web-vitals"]);
  for (const name of direct) {
    // Their own runtime dependencies (an optional peer such as valibot's `typescript` is not one).
    const manifest = JSON.parse(readFileSync(resolve(root, "node_modules", name, "package.json"), "utf8")) as { dependencies?: object };
    expect(Object.keys(manifest.dependencies ?? {}), name).toEqual([]);
  }
  const pkg = JSON.parse(readFileSync(resolve(root, "package.json"), "utf8")) as { dependencies: Record<string, string> };
  expect(Object.keys(pkg.dependencies).sort()).toEqual(direct);
}, 60_000);
