// `npm run bench`: every benchmark in one run, then one report.
//
//   node bench/run.mjs [--only size,hot,serialize,browser,unload,relay,durable] [--write] [--build] [--filter RE]
//
// Each part (bench/<part>.bench.ts) is bundled with esbuild into bench/.out/ (so that the
// anchors resolve from bench/node_modules, the bench's own devDependencies) and run in a
// fresh Node 24 with --expose-gc; it prints its section and leaves its result in
// bench/.out/results/. --write puts the machine, date, versions and every section of this
// run into BENCHMARKS.md. The parts read the SDK from dist/ (size, pages) and from src/.
import { build } from "esbuild";
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { cpus, freemem, loadavg, totalmem } from "node:os";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const bench = `${root}bench/`;
const out = `${bench}.out/`;
const PARTS = ["size", "hot", "serialize", "browser", "unload", "relay", "durable"];
const FILES = {
  size: "size.bench.ts",
  hot: "registry.bench.ts",
  serialize: "serialize.bench.ts",
  browser: "browser.bench.ts",
  unload: "unload.bench.ts",
  relay: "relay.bench.ts",
  durable: "durable.bench.ts",
};

const args = process.argv.slice(2);
const flag = (name) => args.includes(`--${name}`);
const value = (name) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
};
const only =
  value("only")
    ?.split(",")
    .map((s) => s.trim()) ?? PARTS;
for (const p of only) if (!PARTS.includes(p)) throw new Error(`unknown part "${p}" (parts: ${PARTS.join(", ")})`);

// The anchors are devDependencies of the bench only (bench/package.json).
if (!existsSync(`${bench}node_modules`)) {
  console.log("bench: installing the anchors (npm ci --prefix bench)…");
  const r = spawnSync("npm", ["ci", "--prefix", bench, "--no-audit", "--no-fund"], { stdio: "inherit", cwd: root });
  if (r.status !== 0) process.exit(r.status ?? 1);
}
if (flag("build")) {
  const r = spawnSync("npm", ["run", "build"], { stdio: "inherit", cwd: root });
  if (r.status !== 0) process.exit(r.status ?? 1);
}
const needsDist = only.some((p) => ["size", "browser", "unload", "durable"].includes(p));
// dist/ may be rebuilt by another process meanwhile: wait a while for it rather than fail.
const distReady = () =>
  ["dist/apptuit.iife.js", "dist/esm/browser.js", "dist/esm/browser-relay.js", "dist/bundle/workers.js"].every((f) =>
    existsSync(`${root}${f}`),
  );
if (needsDist && !distReady()) {
  console.log("bench: dist/ is missing — waiting up to 10 min for a build (`npm run build`, or pass --build)…");
  const until = Date.now() + 600_000;
  while (!distReady() && Date.now() < until) await new Promise((r) => setTimeout(r, 5_000));
  if (!distReady()) {
    console.error("bench: dist/ is still missing — run `npm run build` first (or pass --build).");
    process.exit(1);
  }
  await new Promise((r) => setTimeout(r, 5_000)); // let the build finish writing
}

// Node 24 from the root devDependency, whichever node started this script.
const localNode = `${root}node_modules/.bin/node`;
const nodeBin = existsSync(localNode) ? localNode : process.execPath;
const run = (cmd, argv) => spawnSync(cmd, argv, { encoding: "utf8" }).stdout?.trim() ?? "";
const nodeVersion = run(nodeBin, ["--version"]);

const began = new Date();
const load = [loadavg()[0]];
const results = [];
rmSync(`${out}results`, { recursive: true, force: true });
for (const part of only) {
  const entry = `${bench}${FILES[part]}`;
  const bundle = `${out}${part}.mjs`;
  await build({
    entryPoints: [entry],
    outfile: bundle,
    bundle: true,
    format: "esm",
    platform: "node",
    target: "node22",
    packages: "external",
    logLevel: "warning",
  });
  const resultFile = `${out}results/${part}.json`;
  console.log(`\n=== ${part} ===`);
  const t0 = Date.now();
  const r = spawnSync(nodeBin, ["--expose-gc", bundle], {
    stdio: "inherit",
    cwd: root,
    env: { ...process.env, BENCH_OUT: resultFile, BENCH_ROOT: root, ...(value("filter") ? { BENCH_FILTER: value("filter") } : {}) },
  });
  load.push(loadavg()[0]);
  if (r.status !== 0 || !existsSync(resultFile)) {
    console.error(`bench: part "${part}" failed (exit ${r.status}) after ${((Date.now() - t0) / 1000).toFixed(0)} s`);
    process.exitCode = 1;
    continue;
  }
  results.push(JSON.parse(readFileSync(resultFile, "utf8")));
}
const elapsed = (Date.now() - began.getTime()) / 1000;

// --- summary ------------------------------------------------------------------------------
const goals = results.flatMap((r) => r.goals.map((g) => ({ ...g, part: r.title })));
const losses = results.flatMap((r) => r.losses);
const cell = (s) => String(s).replaceAll("|", "\\|");
let summary = "## Goals\n\n| part | goal | result | met |\n|---|---|---|---|\n";
summary += goals
  .map((g) => `| ${g.part} | ${cell(g.goal)} | ${cell(g.result)} | ${g.met === "info" ? "(reported)" : g.met ? "yes" : "**no**"} |`)
  .join("\n");
summary += "\n\n## Where we are not ahead\n\n";
summary += losses.length ? losses.map((l) => `- ${l}`).join("\n") : "- (nothing in this run)";
console.log(`\n${summary}\n\nbench: ${results.length}/${only.length} parts in ${elapsed.toFixed(0)} s`);

// --- BENCHMARKS.md --------------------------------------------------------------------------
if (flag("write")) {
  const version = (dir, name) => {
    try {
      return JSON.parse(readFileSync(`${dir}node_modules/${name}/package.json`, "utf8")).version;
    } catch {
      return "?";
    }
  };
  const anchors = [
    "@opentelemetry/sdk-metrics",
    "@opentelemetry/exporter-metrics-otlp-http",
    "@opentelemetry/otlp-transformer",
    "@opentelemetry/api",
    "@sentry/browser",
    "@influxdata/influxdb-client-browser",
    "@grafana/faro-web-sdk",
    "prom-client",
    "measured-core",
    "mitata",
  ];
  const chromium = results.find((r) => r.versions?.chromium)?.versions.chromium;
  const cpuModel = cpus()[0]?.model ?? "?";
  let md = "# Benchmarks\n\n";
  md +=
    "`npm run bench` (`node bench/run.mjs`; `--only size,hot,serialize,browser,unload,relay,durable` for parts, `--write` to " +
    "regenerate this file). Every table below comes from the one run described here; the anchors are devDependencies " +
    "of the bench only (`bench/package.json`, installed by `npm ci --prefix bench` on first run).\n\n";
  md += "## Machine and run\n\n";
  md += `- Date: ${began.toISOString().slice(0, 16).replace("T", " ")} UTC; ${results.length} parts (${results.map((r) => r.part).join(", ")}) in ${Math.round(elapsed)} s\n`;
  md += `- CPU: \`${cpuModel}\`, nproc = ${cpus().length}; memory ${(totalmem() / 2 ** 30).toFixed(1)} GiB (${(freemem() / 2 ** 30).toFixed(1)} GiB free at the end)\n`;
  md += `- Node ${nodeVersion} (${process.platform}-${process.arch})${chromium ? `; Chromium ${chromium} (/usr/bin/chromium, headless, playwright-core ${version(root, "playwright-core")})` : ""}; esbuild ${version(root, "esbuild")}\n`;
  md += `- Anchors: ${anchors.map((a) => `${a} ${version(bench, a)}`).join(", ")}\n`;
  const head = run("git", ["-C", root, "rev-parse", "--short", "HEAD"]) || "?";
  const dirty = run("git", ["-C", root, "status", "--porcelain", "--", "src"]).split("\n").filter(Boolean).length;
  const distBuilt = existsSync(`${root}dist/apptuit.iife.js`)
    ? statSync(`${root}dist/apptuit.iife.js`).mtime.toISOString().slice(0, 16).replace("T", " ")
    : "?";
  md += `- apptuit ${JSON.parse(readFileSync(`${root}package.json`, "utf8")).version} from this work tree at ${head}${dirty ? ` (${dirty} file(s) under src/ changed since)` : ""}: dist/ (built ${distBuilt} UTC) for sizes and pages, src/ for the Node parts\n`;
  const noisy = load[0] > 0.5 * cpus().length || Math.max(...load) > cpus().length + 0.5;
  md +=
    `- Load: 1-minute load average ${load.map((l) => l.toFixed(1)).join(" → ")} before and after each part, on ${cpus().length} cores (the browser parts' own Chromium and server account for 1–2). ` +
    (noisy
      ? "Noisy machine: other processes ran during the run. Figures move by tens of percent between runs; ratios within one run are the better guide.\n\n"
      : "The load says no other heavy process ran; figures still move between runs on this shared VM, and ratios within one run are the better guide.\n\n");
  md += `${summary}\n\n`;
  md += results.map((r) => r.markdown.trim()).join("\n\n");
  md += "\n";
  writeFileSync(`${root}BENCHMARKS.md`, md);
  console.log("bench: wrote BENCHMARKS.md");
}
