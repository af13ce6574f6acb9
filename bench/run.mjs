// Bundles bench/registry.bench.ts (it imports the registry from TypeScript source, whose
// imports have no extensions) with esbuild, then runs it in a fresh Node with --expose-gc
// so the memory figures can force collections. Usage: `node bench/run.mjs [filter]`.
import { build } from "esbuild";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const outfile = `${root}.tmp/bench/registry.bench.mjs`;

await build({
  entryPoints: [`${root}bench/registry.bench.ts`],
  outfile,
  bundle: true,
  format: "esm",
  platform: "node",
  target: "node22",
  packages: "external", // prom-client, OTel, measured-core, mitata load from node_modules
  logLevel: "warning",
});

const result = spawnSync(process.execPath, ["--expose-gc", outfile, ...process.argv.slice(2)], {
  stdio: "inherit",
  cwd: root,
});
process.exit(result.status ?? 1);
