// Architecture rules from docs/architecture.md, enforced on the TypeScript syntax tree:
//  - no Node built-in (or any runtime's own global) outside src/platforms/<runtime>/;
//  - arrows point down: core/ and registry/ never import reporter/, platforms/ or relay/;
//  - the wire rules (limits, name and tag rules, forbidden keys, timestamp units, final
//    statuses) are declared once, in src/core/wire-rules.ts.
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

  it("declares the wire rules only in src/core/wire-rules.ts", () => {
    const redeclared = files
      .filter((f) => f.rel !== WIRE_RULES)
      .flatMap((f) => wireRuleCopies(readFileSync(f.path, "utf8")).map((what) => `src/${f.rel}: ${what}`));
    expect(redeclared).toEqual([]);
  });

  it("the wire-rule scan recognises every rule in its own module", () => {
    const found = new Set(wireRuleCopies(readFileSync(join(src, WIRE_RULES), "utf8")));
    expect([...found].sort()).toEqual(Object.keys(WIRE_RULE_SHAPES).sort());
  });

  it("the scanner itself catches a Node import and a runtime global", () => {
    const { findings } = scan(
      "x.ts",
      'import { gzipSync } from "node:zlib";\nimport os from "os";\nconst t = process.env.X; const ok = { process: 1 }.process;',
    );
    expect(findings.map((f) => f.what)).toEqual([
      'imports Node built-in "node:zlib"',
      'imports Node built-in "os"',
      'uses runtime global "process"',
    ]);
  });
});

const WIRE_RULES = "core/wire-rules.ts";

/** What a second copy of each wire rule looks like in code (comments stripped). */
const WIRE_RULE_SHAPES: Record<string, RegExp> = {
  "a limit constant": /\b(?:const|let|var)\s+(?:MAX_NAME_LENGTH|MAX_TAGS|MAX_POINTS_PER_REQUEST|MAX_WIRE_MS|MAX_INPUT_SECONDS|MS_MIN)\b/,
  "the milliseconds threshold 2^32": /2\s*\*\*\s*32\b|\b4_?294_?967_?29[56]\b/,
  "the largest wire timestamp": /\b1e13\b|\b9_?999_?999_?999_?999\b/,
  "the forbidden keys": /["']constructor["']\s*,\s*["']prototype["']/,
  "the name pattern": /\\p\{L\}\\p\{N\}\\-_\.\/\]\+\$/,
  "which statuses are final": /===\s*(?:408|429)\b/,
};

function wireRuleCopies(code: string): string[] {
  const bare = code.replace(/\/\*[\s\S]*?\*\//g, "").replace(/^\s*\/\/.*$/gm, "");
  return Object.entries(WIRE_RULE_SHAPES)
    .filter(([, shape]) => shape.test(bare))
    .map(([what]) => what);
}
