// Supply chain: what an application pulls in at run time. The production dependency
// closure (package.json `dependencies`, then theirs, recursively, from the installed
// manifests) is pinned to three packages with no dependencies of their own, so a new
// transitive dependency — and its advisories — cannot arrive unnoticed.
//
// `npm audit --omit=dev` is `npm run audit:prod`, not part of `npm test`: it needs the
// registry's audit API, which this project's machines cannot reach (the mirror answers
// 405), and an audit that did not run must not pass as a clean one.
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { expect, it } from "vitest";

const root = resolve(import.meta.dirname, "../..");

function manifest(dir: string): { dependencies?: Record<string, string> } {
  return JSON.parse(readFileSync(resolve(dir, "package.json"), "utf8"));
}

it("runtime dependencies are exactly ky, valibot and web-vitals, none of which depends on anything", () => {
  const closure = new Set<string>();
  const visit = (names: string[]) => {
    for (const name of names) {
      if (closure.has(name)) continue;
      closure.add(name);
      visit(Object.keys(manifest(resolve(root, "node_modules", name)).dependencies ?? {}));
    }
  };
  visit(Object.keys(manifest(root).dependencies ?? {}));
  expect([...closure].sort()).toEqual(["ky", "valibot", "web-vitals"]);
});
