// Architecture rules from ARCHITECTURE.md, enforced on the TypeScript syntax tree:
//  - no Node built-in (or any runtime's own global) outside src/platforms/<runtime>/;
//  - arrows point down: core/ and registry/ never import reporter/, platforms/ or relay/.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative, resolve, dirname } from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";

const root = resolve(import.meta.dirname, "../../..");
const src = join(root, "src");

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? walk(path) : path.endsWith(".ts") ? [path] : [];
  });
}

const NODE_BUILTINS = new Set([
  "assert", "buffer", "child_process", "cluster", "crypto", "dgram", "dns", "events", "fs",
  "http", "http2", "https", "net", "os", "path", "perf_hooks", "process", "querystring",
  "readline", "stream", "string_decoder", "timers", "tls", "tty", "url", "util", "v8", "vm",
  "worker_threads", "zlib", "async_hooks", "diagnostics_channel", "module",
]);
/** Globals that belong to one runtime; only its adapter may touch them. */
const RUNTIME_GLOBALS = new Set(["process", "Buffer", "require", "__dirname", "__filename", "global", "Deno", "window", "document", "navigator", "Bun"]);

interface Finding { file: string; line: number; what: string }

export function scan(file: string, text: string): { imports: string[]; findings: Finding[] } {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const imports: string[] = [];
  const findings: Finding[] = [];
  const at = (node: ts.Node) => source.getLineAndCharacterOfPosition(node.getStart()).line + 1;
  const visit = (node: ts.Node) => {
    if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
      imports.push(node.moduleSpecifier.text);
      const spec = node.moduleSpecifier.text;
      if (spec.startsWith("node:") || NODE_BUILTINS.has(spec.split("/")[0]!)) findings.push({ file, line: at(node), what: `imports Node built-in "${spec}"` });
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      const arg = node.arguments[0];
      if (arg && ts.isStringLiteral(arg)) {
        imports.push(arg.text);
        if (arg.text.startsWith("node:") || NODE_BUILTINS.has(arg.text)) findings.push({ file, line: at(node), what: `imports Node built-in "${arg.text}"` });
      }
    } else if (ts.isIdentifier(node) && RUNTIME_GLOBALS.has(node.text)) {
      const parent = node.parent;
      const isPropertyName =
        (ts.isPropertyAccessExpression(parent) && parent.name === node) ||
        (ts.isPropertyAssignment(parent) && parent.name === node) ||
        ts.isPropertySignature(parent) || ts.isMethodDeclaration(parent) || ts.isPropertyDeclaration(parent) ||
        ts.isQualifiedName(parent) || ts.isParameter(parent) || ts.isVariableDeclaration(parent) ||
        ts.isBindingElement(parent) || ts.isImportSpecifier(parent) || ts.isShorthandPropertyAssignment(parent);
      if (!isPropertyName) findings.push({ file, line: at(node), what: `uses runtime global "${node.text}"` });
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return { imports, findings };
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
