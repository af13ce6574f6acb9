// Page bundles built for the browser parts: the OTel page (fixtures/otel-page.js) as an IIFE,
// built the same way as the size part builds the anchors, and an unminified script-tag
// build of our sources for readable CPU profiles (the shipped file is minified by terser).
import { build } from "esbuild";
import { ROOT } from "./result";

const out = `${ROOT}bench/.out/`;

export async function buildOtelIife(): Promise<string> {
  const outfile = `${out}otel.iife.js`;
  await build({
    entryPoints: [`${ROOT}bench/fixtures/otel-page.js`],
    outfile,
    bundle: true,
    minify: true,
    format: "iife",
    globalName: "OTelBench",
    platform: "browser",
    target: "es2022",
    define: { "process.env.NODE_ENV": '"production"' },
    logLevel: "error",
  });
  return outfile;
}

export async function buildApptuitDev(): Promise<string> {
  const outfile = `${out}apptuit.dev.js`;
  await build({
    entryPoints: [`${ROOT}src/iife.ts`],
    outfile,
    bundle: true,
    minify: false,
    keepNames: true,
    format: "iife",
    globalName: "Apptuit",
    platform: "browser",
    target: "es2022",
    tsconfig: `${ROOT}tsconfig.json`,
    logLevel: "error",
  });
  return outfile;
}
