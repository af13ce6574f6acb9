// Three builds of the same sources:
//  1. dist/esm/      one ESM file per entry point, dependencies (ky, valibot) left as imports
//                    for bundlers and npm users; shared code in chunks so entries tree-shake.
//  2. dist/bundle/   the same entries with every dependency inlined: importable by path or URL
//                    from Deno, a CDN or a `<script type="module">` with no import map.
//  3. script tags exposing `window.Apptuit`, minified: dist/apptuit.iife.js (the relay-mode
//     page SDK), dist/apptuit-direct.iife.js (direct mode, queries, and relay mode),
//     and dist/apptuit-vitals.iife.js (`web-vitals`, loaded by both on `runtimeMetrics`).
//  4. dist/types/    one bundled .d.ts per entry (shared types in chunks), so types resolve
//                    under every module resolution mode, extensionless source imports or not.
import { nodeResolve } from "@rollup/plugin-node-resolve";
import terser from "@rollup/plugin-terser";
import { dts } from "rollup-plugin-dts";
import esbuild from "rollup-plugin-esbuild";
import { existsSync, readFileSync } from "node:fs";

const pkg = JSON.parse(readFileSync(new URL("./package.json", import.meta.url), "utf8"));
const external = Object.keys(pkg.dependencies ?? {});

/** Subpath → source entry; keep in step with package.json "exports". */
const allEntries = {
  index: "src/index.ts",
  browser: "src/platforms/browser/index.ts",
  "browser-relay": "src/platforms/browser/relay-page.ts",
  workers: "src/platforms/workers/index.ts",
  next: "src/platforms/next/index.ts",
  deno: "src/platforms/deno/index.ts",
  node: "src/platforms/node/index.ts",
  relay: "src/relay/index.ts",
  backend: "src/backend/index.ts",
};
const missing = Object.entries(allEntries).filter(([, file]) => !existsSync(file));
if (missing.length) console.warn(`rollup: skipping missing entries ${missing.map(([name]) => name).join(", ")}`);
export const entries = Object.fromEntries(Object.entries(allEntries).filter(([, file]) => existsSync(file)));

/** Members internal to a bundle, by the sources' convention (a trailing `_`): mangled in the script tags. */
export const INTERNAL_MEMBER = /^[A-Za-z]\w*_$/;

const ts = () => esbuild({ target: "es2022", tsconfig: "tsconfig.json" });
const browserResolve = () => nodeResolve({ browser: true, exportConditions: ["browser", "import", "default"] });

export default [
  {
    input: entries,
    external: (id) => external.some((dep) => id === dep || id.startsWith(`${dep}/`)),
    plugins: [ts()],
    output: {
      dir: "dist/esm",
      format: "esm",
      entryFileNames: "[name].js",
      chunkFileNames: "chunks/[name]-[hash].js",
      hoistTransitiveImports: false,
    },
  },
  {
    input: entries,
    plugins: [browserResolve(), ts(), terser({ module: true })],
    output: { dir: "dist/bundle", format: "esm", entryFileNames: "[name].js", chunkFileNames: "chunks/[name]-[hash].js" },
  },
  {
    input: entries,
    external: (id) => external.some((dep) => id === dep || id.startsWith(`${dep}/`)),
    plugins: [dts({ tsconfig: "tsconfig.json" })],
    output: { dir: "dist/types", format: "esm", entryFileNames: "[name].d.ts", chunkFileNames: "chunks/[name]-[hash].d.ts" },
  },
  ...[
    ["src/iife.ts", "dist/apptuit.iife.js", "Apptuit"],
    ["src/iife-direct.ts", "dist/apptuit-direct.iife.js", "Apptuit"],
    ["src/iife-vitals.ts", "dist/apptuit-vitals.iife.js", "ApptuitWebVitals"],
  ].map(([input, file, name]) => ({
    input,
    // A second compress pass: about 35 bytes less gzip for the relay tag, 100 for the direct one.
    // Members named with a trailing `_` are internal to one bundle (never public API, never
    // read by a test or by another script tag): terser shortens them like local names.
    plugins: [browserResolve(), ts(), terser({ compress: { passes: 2 }, mangle: { properties: { regex: INTERNAL_MEMBER } } })],
    output: { file, format: "iife", name, exports: "named" },
  })),
];
