// Size: minified and gzip bytes of our builds beside minimal apps of the anchors, all
// bundled the same way in this run (esbuild: bundle, minify, browser platform, ESM).
import { build } from "esbuild";
import { existsSync, readFileSync } from "node:fs";
import { gzipSync } from "node:zlib";
import { finish, int, ratio, ROOT, table, type Goal } from "./lib/result";

const started = Date.now();
const dist = `${ROOT}dist/esm/`;
const fixtures = `${ROOT}bench/fixtures/size/`;

interface Size {
  name: string;
  min: number;
  gzip: number;
}

const gz = (bytes: Uint8Array): number => gzipSync(bytes, { level: 9 }).byteLength;

async function bundle(name: string, input: { file: string } | { code: string }): Promise<Size> {
  const result = await build({
    ...("file" in input ? { entryPoints: [input.file] } : { stdin: { contents: input.code, resolveDir: ROOT, loader: "js" } }),
    bundle: true,
    minify: true,
    format: "esm",
    platform: "browser",
    target: "es2022",
    define: { "process.env.NODE_ENV": '"production"' },
    write: false,
    logLevel: "error",
    legalComments: "none",
  });
  const bytes = result.outputFiles[0]!.contents;
  return { name, min: bytes.byteLength, gzip: gz(bytes) };
}

// --- ours: each entry point as an importer would take it ------------------------------
const entries: [string, string, string][] = [
  ["apptuit `{ Apptuit }` (send + query)", "index.js", "Apptuit"],
  ["apptuit `{ MetricsRegistry, ApptuitReporter }`", "index.js", "MetricsRegistry, ApptuitReporter"],
  ["apptuit `*` (everything)", "index.js", "*"],
  ["apptuit/browser `{ init }`", "browser.js", "init"],
  ["apptuit/workers `{ withApptuit }`", "workers.js", "withApptuit"],
  ["apptuit/next `{ withApptuit }`", "next.js", "withApptuit"],
  ["apptuit/relay `{ createRelay }`", "relay.js", "createRelay"],
  ["apptuit/relay `{ encodeCompact, splitCompact }`", "relay.js", "encodeCompact, splitCompact"],
];
const ours: Size[] = [];
const missing: string[] = [];
const iife = `${ROOT}dist/apptuit.iife.js`;
if (existsSync(iife)) {
  const bytes = readFileSync(iife);
  ours.push({ name: "dist/apptuit.iife.js (script tag, as built)", min: bytes.byteLength, gzip: gz(bytes) });
} else missing.push("dist/apptuit.iife.js");
for (const [name, file, names] of entries) {
  if (!existsSync(dist + file)) {
    missing.push(`dist/esm/${file}`);
    continue;
  }
  const code = names === "*" ? `export * from "${dist}${file}";` : `export { ${names} } from "${dist}${file}";`;
  ours.push(await bundle(name, { code }));
}

// --- the same minimal app with each library ------------------------------------------
const apps: [string, string, string][] = [
  ["apptuit/browser: init (relay) + counter", "apptuit-browser.js", "apptuit"],
  ["apptuit: MetricsRegistry + ApptuitReporter + counter", "apptuit-reporter.js", "apptuit"],
  ["OpenTelemetry: MeterProvider + PeriodicExportingMetricReader + OTLP/HTTP exporter + counter", "otel.js", "anchor"],
  ["Sentry: init + metrics.count + captureMessage", "sentry.js", "anchor"],
  ["InfluxDB browser client: getWriteApi + Point + writePoint + flush", "influx.js", "anchor"],
  ["Grafana Faro: initializeFaro + pushMeasurement", "faro.js", "anchor"],
];
const appSizes: (Size & { kind: string })[] = [];
for (const [name, file, kind] of apps) {
  if (file.startsWith("apptuit-browser") && !existsSync(`${dist}browser.js`)) continue;
  appSizes.push({ ...(await bundle(name, { file: fixtures + file })), kind });
}

// --- report ---------------------------------------------------------------------------
const anchors = appSizes.filter((a) => a.kind === "anchor");
const ourApp = appSizes.find((a) => a.name.startsWith("apptuit/browser")) ?? appSizes.find((a) => a.kind === "apptuit")!;
const short = (name: string) => name.split(":")[0]!;
let md = "## Size\n\n";
md +=
  "Every bundle below is built in this run by esbuild 0.28 the same way (bundle, minify, " +
  "`platform: browser`, ESM, es2022, `NODE_ENV=production`); gzip is level 9. Ours come " +
  "from `dist/esm` (ky and valibot bundled in); the script-tag file is measured as built by rollup + terser.\n\n";
md += "### The same minimal app with each library\n\n";
md += table(
  ["app", "min bytes", "gzip bytes", `gzip × ${short(ourApp.name)}`],
  appSizes.map((a) => [a.name, int(a.min), int(a.gzip), ratio(a.gzip, ourApp.gzip)]),
  ["l", "r", "r", "r"],
);
md += `\n\n### Our entry points (gzip), and each anchor app's size as a multiple of it\n\n`;
md += table(
  ["entry point", "min bytes", "gzip bytes", ...anchors.map((a) => `${short(a.name)} ×`)],
  ours.map((o) => [o.name, int(o.min), int(o.gzip), ...anchors.map((a) => ratio(a.gzip, o.gzip))]),
  ["l", "r", "r", ...anchors.map(() => "r" as const)],
);
if (missing.length) md += `\n\nNot measured (missing from dist/, run \`npm run build\`): ${missing.join(", ")}.`;

const losses = anchors
  .filter((a) => a.gzip <= ourApp.gzip)
  .map((a) => `Size: ${short(a.name)}'s minimal app is ${int(a.gzip)} B gzip, ours ${int(ourApp.gzip)} B.`);
const goals: Goal[] = ours
  .filter((o) => o.name.includes("iife") || o.name.includes("browser"))
  .map((o) => ({ goal: `${o.name} ≤ 30 kB gzip (size-limit)`, result: `${int(o.gzip)} B`, met: o.gzip <= 30_000 }));

finish({ part: "size", title: "Size", startedAt: new Date(started).toISOString(), durationMs: Date.now() - started, markdown: md, losses, goals });
