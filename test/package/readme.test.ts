// The README's quickstarts are copy-pasteable: every ```ts block marked
// `<!-- typecheck -->` is compiled, as its own module, against the BUILT package through
// its exports map (so a renamed option or export breaks this test, not a user's paste).
// What the runtimes do with the same APIs is covered by the real-runtime projects.
import { execFile } from "node:child_process";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";

const root = resolve(import.meta.dirname, "../..");
const dir = join(root, "test/types/.readme"); // inside the package, so `apptuit/*` self-resolves

/** Names the snippets use without defining: the reader's own code. */
const PRELUDE = `
declare global {
  const queue: unknown[];
  const order: unknown;
  function handle(order: unknown): Promise<void>;
  interface ExecutionContext { waitUntil(promise: Promise<unknown>): void }
}
export {};
`;

function snippets(): { line: number; code: string }[] {
  const lines = readFileSync(join(root, "README.md"), "utf8").split("\n");
  const found: { line: number; code: string }[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (lines[i] !== "<!-- typecheck -->") continue;
    expect(lines[i + 1], `README.md:${i + 2} should open a ts block`).toBe("```ts");
    const end = lines.indexOf("```", i + 2);
    found.push({ line: i + 3, code: lines.slice(i + 2, end).join("\n") });
  }
  return found;
}

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("README quickstarts", () => {
  it("every marked snippet compiles against the built package", async () => {
    const blocks = snippets();
    expect(blocks.length).toBeGreaterThanOrEqual(6);
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, "prelude.d.ts"), PRELUDE);
    const files = blocks.map(({ line, code }) => {
      const file = `readme-line-${line}.ts`;
      // Each snippet is a module; top-level await is allowed as in an ESM app.
      writeFileSync(join(dir, file), `${code}\nexport {};\n`);
      return file;
    });
    writeFileSync(
      join(dir, "tsconfig.json"),
      JSON.stringify({
        compilerOptions: {
          target: "ES2022",
          module: "ESNext",
          moduleResolution: "Bundler",
          lib: ["ES2023", "DOM", "DOM.Iterable"],
          strict: true,
          noEmit: true,
          skipLibCheck: true,
          types: [],
          noUnusedLocals: false,
        },
        files: ["prelude.d.ts", ...files],
      }),
    );
    const out = await promisify(execFile)(join(root, "node_modules/.bin/tsc"), ["-p", join(dir, "tsconfig.json")], { cwd: root }).then(
      () => "",
      (error: { stdout?: string }) => error.stdout ?? String(error),
    );
    // Point failures at the README line rather than the generated file.
    expect(
      out.replace(
        /test\/types\/\.readme\/readme-line-(\d+)\.ts\((\d+),/g,
        (_m, start, at) => `README.md(${Number(start) + Number(at) - 1},`,
      ),
    ).toBe("");
  }, 120_000);
});
