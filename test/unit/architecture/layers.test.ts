// Architecture rules from docs/architecture.md, enforced on the TypeScript syntax tree:
//  - no Node built-in (or any runtime's own global) outside src/platforms/<runtime>/;
//  - arrows point down: core/ and registry/ never import reporter/, platforms/ or relay/.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative, resolve, dirname } from "node:path";
import { describe, expect, it } from "vitest";
import { scan } from "../../harness/scan-source";

const root = resolve(import.meta.dirname, "../../..");
const src = join(root, "src");

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? walk(path) : path.endsWith(".ts") ? [path] : [];
  });
}

const files = walk(src).map((path) => ({ path, rel: relative(src, path).replaceAll("\\", "/") }));

describe("architecture", () => {
  it("finds source files to check", () => {
    expect(files.length).toBeGreaterThan(10);
  });

  it("uses no Node built-in or runtime-specific global outside src/platforms/", () => {
    const findings = files
      .filter((f) => !f.rel.startsWith("platforms/"))
      .flatMap((f) => scan(f.rel, readFileSync(f.path, "utf8")).findings)
      .map((f) => `src/${f.file}:${f.line} ${f.what}`);
    expect(findings).toEqual([]);
  });

  it("keeps arrows pointing down between layers", () => {
    const forbidden: Record<string, string[]> = {
      core: ["reporter", "platforms", "relay", "registry", "backend"],
      registry: ["reporter", "platforms", "relay", "backend"],
      reporter: ["platforms", "relay", "backend"],
      relay: ["platforms", "reporter", "backend"],
      backend: ["platforms", "reporter", "relay", "registry"],
    };
    const violations: string[] = [];
    for (const f of files) {
      const layer = f.rel.split("/")[0]!;
      for (const spec of scan(f.rel, readFileSync(f.path, "utf8")).imports) {
        if (!spec.startsWith(".")) continue;
        const target = relative(src, resolve(dirname(f.path), spec)).split("/")[0]!;
        if (forbidden[layer]?.includes(target)) violations.push(`src/${f.rel} imports ${spec} (${layer} → ${target})`);
      }
    }
    expect(violations).toEqual([]);
  });

  it("the scanner itself catches a Node import and a runtime global", () => {
    const { findings } = scan("x.ts", 'import { gzipSync } from "node:zlib";\nimport os from "os";\nconst t = process.env.X; const ok = { process: 1 }.process;');
    expect(findings.map((f) => f.what)).toEqual([
      'imports Node built-in "node:zlib"',
      'imports Node built-in "os"',
      'uses runtime global "process"',
    ]);
  });
});
