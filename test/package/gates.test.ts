// Package quality gates: what npm users, bundlers and runtimes will see.
// Each gate runs the real tool on the built package and fails the suite when it complains.
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { scan } from "../harness/scan-source";

const run = promisify(execFile);
const root = resolve(import.meta.dirname, "../..");
const bin = (name: string) => join(root, "node_modules/.bin", name);
const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));

async function tool(name: string, args: string[]) {
  try {
    const { stdout, stderr } = await run(bin(name), args, { cwd: root, maxBuffer: 32 * 1024 * 1024 });
    return { code: 0, out: stdout + stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return { code: e.code ?? 1, out: `${e.stdout ?? ""}${e.stderr ?? ""}` };
  }
}

describe("package gates", () => {
  it("publint --strict finds nothing", async () => {
    const { code, out } = await tool("publint", ["--strict"]);
    expect(out).not.toMatch(/Errors:|Warnings:|Suggestions:/);
    expect(code).toBe(0);
  });

  it("types resolve for every subpath under node16 and bundler resolution (attw)", async () => {
    const { code, out } = await tool("attw", ["--pack", ".", "--profile", "esm-only", "--format", "json"]);
    const report = JSON.parse(out.slice(out.indexOf("{")));
    // The esm-only profile: CommonJS and node10 resolution are out of scope for an ESM-only package.
    const ignored = new Set(["node10", "node16-cjs"]);
    const problems = (report.analysis?.problems ?? [])
      .filter((p: { resolutionKind?: string }) => !ignored.has(p.resolutionKind ?? ""))
      .map(
        (p: { kind: string; entrypoint?: string; resolutionKind?: string }) => `${p.kind} ${p.entrypoint ?? ""} ${p.resolutionKind ?? ""}`,
      );
    expect(problems).toEqual([]);
    expect(code).toBe(0);
    const entrypoints = Object.keys(report.analysis.entrypoints);
    expect(entrypoints.sort()).toEqual(
      Object.keys(pkg.exports)
        .map((k) => (k === "." ? "." : k))
        .sort(),
    );
  });

  it("every entry point and the script tag stay within their size budgets (size-limit)", async () => {
    const { code, out } = await tool("size-limit", ["--json"]);
    const rows = JSON.parse(out.slice(out.indexOf("["))) as { name: string; size: number; passed: boolean }[];
    console.log(rows.map((r) => `  ${r.name}: ${(r.size / 1024).toFixed(1)} KiB gzip${r.passed ? "" : "  OVER BUDGET"}`).join("\n"));
    expect(rows.filter((r) => !r.passed).map((r) => r.name)).toEqual([]);
    expect(rows.length).toBe(pkg["size-limit"].length);
    expect(code).toBe(0);
  });

  it("built browser and edge files use no Node built-in and no Node/Deno global", () => {
    const files = new Set(["dist/apptuit.iife.js", "dist/apptuit-direct.iife.js", "dist/apptuit-vitals.iife.js"]);
    // Every file an entry loads: follow its relative static imports through the chunks.
    const visit = (file: string) => {
      if (files.has(file)) return;
      files.add(file);
      for (const spec of scan(file, readFileSync(join(root, file), "utf8")).imports) {
        if (spec.startsWith(".")) visit(relative(root, resolve(root, dirname(file), spec)));
      }
    };
    for (const entry of ["index", "browser", "workers", "next", "relay"]) visit(`dist/bundle/${entry}.js`);
    expect(files.size).toBeGreaterThan(6);
    const nodeOnly = new Set([
      'uses runtime global "process"',
      'uses runtime global "Buffer"',
      'uses runtime global "require"',
      'uses runtime global "Deno"',
      'uses runtime global "__dirname"',
      'uses runtime global "global"',
    ]);
    const findings = [...files].flatMap((file) =>
      scan(file, readFileSync(join(root, file), "utf8"))
        .findings.filter((f) => f.what.startsWith("imports Node") || nodeOnly.has(f.what))
        .map((f) => `${file}:${f.line} ${f.what}`),
    );
    expect(findings).toEqual([]);
  });
});
