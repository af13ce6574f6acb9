// Size: minified and gzip bytes of our builds beside minimal apps of the anchors, all
// bundled the same way in this run (esbuild: bundle, minify, browser platform, ESM).
// Ours are imported by their package names (`apptuit/browser/relay`, …), resolved through
// package.json `exports` to dist/esm, as an application's bundler would.
import { build, type Plugin } from "esbuild";
import { existsSync, readFileSync } from "node:fs";
import { gzipSync } from "node:zlib";
import { finish, int, num, ratio, ROOT, table, type Goal } from "./lib/result";

const started = Date.now();
const fixtures = `${ROOT}bench/fixtures/size/`;

interface Size {
  name: string;
  min: number;
  gzip: number;
  /** The size-limit budget of package.json for this file and import, bytes. */
  budget?: { limit: number; text: string };
}

// The budgets `npm run size` (size-limit) enforces, read from package.json: "31 kB" = 31,000 B.
interface SizeLimitEntry {
  path: string;
  import?: string;
  limit: string;
  /** Packages size-limit leaves out (loaded on demand): left out here too. */
  ignore?: string[];
}
const budgets = (JSON.parse(readFileSync(`${ROOT}package.json`, "utf8"))["size-limit"] ?? []) as SizeLimitEntry[];
function parseBytes(text: string): number {
  const m = /^([\d.]+)\s*([kKmM]?)(i?)B$/.exec(text.trim());
  if (!m) return Number.NaN;
  const power = { "": 0, k: 1, K: 1, m: 2, M: 2 }[m[2]!]!;
  return Math.floor(Number(m[1]) * (m[3] ? 1024 : 1000) ** power);
}
const squash = (s: string | undefined) => s?.replace(/\s+/g, "");
function budgetEntry(path: string, names?: string): SizeLimitEntry | undefined {
  const want = names === undefined ? undefined : names === "*" ? "*" : `{${names}}`;
  return budgets.find((e) => e.path === path && squash(e.import) === squash(want));
}
function budgetFor(path: string, names?: string): Size["budget"] {
  const b = budgetEntry(path, names);
  return b ? { limit: parseBytes(b.limit), text: b.limit } : undefined;
}

const gz = (bytes: Uint8Array): number => gzipSync(bytes, { level: 9 }).byteLength;

// esbuild does not resolve a package's own name from inside it: map `apptuit[/sub]` through
// the `exports` of package.json (the `import` condition), as a bundler does in an app.
const exportsMap = JSON.parse(readFileSync(`${ROOT}package.json`, "utf8")).exports as Record<string, string | { import?: string }>;
const target = (specifier: string): string | undefined => {
  const entry = exportsMap[specifier === "apptuit" ? "." : `.${specifier.slice("apptuit".length)}`];
  const rel = typeof entry === "string" ? entry : entry?.import;
  return rel === undefined ? undefined : `${ROOT}${rel.replace(/^\.\//, "")}`;
};
const selfReference: Plugin = {
  name: "apptuit-exports",
  setup(b) {
    b.onResolve({ filter: /^apptuit(\/.*)?$/ }, (args) => {
      const path = target(args.path);
      return path === undefined ? { errors: [{ text: `package.json exports has no "${args.path}"` }] } : { path };
    });
  },
};

/** How every bundle here is built, the way an app's bundler would for a browser. */
const appBuild = {
  bundle: true,
  minify: true,
  format: "esm",
  platform: "browser",
  target: "es2022",
  define: { "process.env.NODE_ENV": '"production"' },
  write: false,
  logLevel: "error",
  legalComments: "none",
  plugins: [selfReference],
} as const;

async function bundle(name: string, input: { file: string } | { code: string }, external: string[] = []): Promise<Size> {
  const result = await build({
    ...appBuild,
    external,
    ...("file" in input ? { entryPoints: [input.file] } : { stdin: { contents: input.code, resolveDir: ROOT, loader: "js" } }),
  });
  const bytes = result.outputFiles[0]!.contents;
  return { name, min: bytes.byteLength, gzip: gz(bytes) };
}

/**
 * The same app built with code splitting, as Vite or webpack build an app: what a page
 * loads at start (the entry and its static imports) apart from what a dynamic `import()`
 * loads on demand (`web-vitals`, only with `runtimeMetrics`).
 */
async function bundleSplit(file: string): Promise<{ initial: number; lazy: number }> {
  const result = await build({ ...appBuild, entryPoints: [file], splitting: true, outdir: `${ROOT}bench/.out/split`, metafile: true });
  const outputs = result.metafile!.outputs;
  const gzipOf = new Map(result.outputFiles.map((f) => [f.path.slice(ROOT.length), gz(f.contents)]));
  const entry = Object.keys(outputs).find((k) => outputs[k]!.entryPoint !== undefined)!;
  const initial = new Set<string>();
  const visit = (k: string) => {
    if (initial.has(k)) return;
    initial.add(k);
    for (const i of outputs[k]!.imports) if (i.kind === "import-statement" && i.path in outputs) visit(i.path);
  };
  visit(entry);
  let sizeInitial = 0;
  let sizeLazy = 0;
  for (const [k, g] of gzipOf) if (k.endsWith(".js")) initial.has(k) ? (sizeInitial += g) : (sizeLazy += g);
  return { initial: sizeInitial, lazy: sizeLazy };
}

// --- ours: each entry point as an importer would take it ------------------------------
const entries: [string, string, string][] = [
  ["apptuit `{ Apptuit }` (send + query)", "apptuit", "Apptuit"],
  ["apptuit `{ MetricsRegistry, ApptuitReporter }`", "apptuit", "MetricsRegistry, ApptuitReporter"],
  ["apptuit `*` (everything)", "apptuit", "*"],
  ["apptuit/browser `{ init }` (relay or direct)", "apptuit/browser", "init"],
  ["apptuit/browser/relay `{ init }` (relay-only page)", "apptuit/browser/relay", "init"],
  ["apptuit/workers `{ withApptuit }`", "apptuit/workers", "withApptuit"],
  ["apptuit/next `{ withApptuit }`", "apptuit/next", "withApptuit"],
  ["apptuit/relay `{ createRelay }`", "apptuit/relay", "createRelay"],
  ["apptuit/relay `{ encodeCompact, splitCompact }`", "apptuit/relay", "encodeCompact, splitCompact"],
];
const ours: Size[] = [];
const missing: string[] = [];
// The script tags as built by rollup + terser: the relay-mode page SDK, the full one, web-vitals.
for (const [file, what] of [
  ["dist/apptuit.iife.js", "script tag, relay mode, as built"],
  ["dist/apptuit-direct.iife.js", "script tag with direct mode and queries, as built"],
  ["dist/apptuit-vitals.iife.js", "web-vitals, loaded on runtimeMetrics, as built"],
] as const) {
  if (!existsSync(`${ROOT}${file}`)) {
    missing.push(file);
    continue;
  }
  const bytes = readFileSync(`${ROOT}${file}`);
  const budget = budgetFor(file);
  ours.push({ name: `${file} (${what})`, min: bytes.byteLength, gzip: gz(bytes), ...(budget && { budget }) });
}
for (const [name, specifier, names] of entries) {
  const file = target(specifier);
  if (file === undefined || !existsSync(file)) {
    missing.push(`${specifier} (${file?.slice(ROOT.length) ?? "not in package.json exports"})`);
    continue;
  }
  const code = names === "*" ? `export * from "${specifier}";` : `export { ${names} } from "${specifier}";`;
  const budget = budgetFor(file.slice(ROOT.length), names);
  // As size-limit measures it: what the budget leaves out (web-vitals, a dynamic import) is left out here.
  const ignore = budgetEntry(file.slice(ROOT.length), names)?.ignore ?? [];
  const label = ignore.length > 0 ? `${name}, ${ignore.join(", ")} apart` : name;
  ours.push({ ...(await bundle(label, { code }, ignore)), ...(budget && { budget }) });
}

// --- the same minimal app with each library ------------------------------------------
const apps: [string, string, string][] = [
  ["apptuit/browser/relay: init (relay-only page) + counter", "apptuit-browser-relay.js", "apptuit"],
  ["apptuit/browser: init (relay) + counter", "apptuit-browser.js", "apptuit"],
  ["apptuit: MetricsRegistry + ApptuitReporter + counter", "apptuit-reporter.js", "apptuit"],
  ["OpenTelemetry: MeterProvider + PeriodicExportingMetricReader + OTLP/HTTP exporter + counter", "otel.js", "anchor"],
  ["Sentry: init + metrics.count + captureMessage", "sentry.js", "anchor"],
  ["InfluxDB browser client: getWriteApi + Point + writePoint + flush", "influx.js", "anchor"],
  ["Grafana Faro: initializeFaro + pushMeasurement", "faro.js", "anchor"],
];
const appSizes: (Size & { kind: string })[] = [];
for (const [name, file, kind] of apps) {
  const needs =
    file === "apptuit-browser-relay.js" ? "apptuit/browser/relay" : file === "apptuit-browser.js" ? "apptuit/browser" : "apptuit";
  if (kind === "apptuit" && !existsSync(target(needs) ?? "")) continue;
  appSizes.push({ ...(await bundle(name, { file: fixtures + file })), kind });
}

// --- report ---------------------------------------------------------------------------
const anchors = appSizes.filter((a) => a.kind === "anchor");
const relayApp = appSizes.find((a) => a.name.startsWith("apptuit/browser/relay"));
const fullApp = appSizes.find((a) => a.name.startsWith("apptuit/browser:"));
const ourApps = [relayApp, fullApp].filter((a): a is NonNullable<typeof a> => a !== undefined);
const otelApp = anchors.find((a) => a.name.startsWith("OpenTelemetry"));
const short = (name: string) => name.split(":")[0]!;
let md = "## Size\n\n";
md +=
  "Every bundle below is built in this run by esbuild 0.28 the same way (bundle, minify, " +
  "`platform: browser`, ESM, es2022, `NODE_ENV=production`); gzip is level 9. Ours are imported by package name " +
  "(`apptuit/browser/relay`, …) and resolved through package.json `exports` to `dist/esm` (what they need of ky, " +
  "valibot and web-vitals bundled in); the script-tag file is measured as built by rollup + terser. " +
  "`apptuit/browser/relay` is the relay-only page entry: `init({ relayUrl })` and the registry without the " +
  "`Apptuit` client and ky; `apptuit/browser` also carries direct mode (`endpoint` + `token`).\n\n";
md += "### The same minimal app with each library\n\n";
md += table(
  ["app", "min bytes", "gzip bytes", ...ourApps.map((o) => `gzip × ${short(o.name)}`)],
  appSizes.map((a) => [a.name, int(a.min), int(a.gzip), ...ourApps.map((o) => ratio(a.gzip, o.gzip))]),
  ["l", "r", "r", ...ourApps.map(() => "r" as const)],
);
const relaySplit = existsSync(target("apptuit/browser/relay") ?? "") ? await bundleSplit(`${fixtures}apptuit-browser-relay.js`) : undefined;
const otelSplit = await bundleSplit(`${fixtures}otel.js`);
if (relayApp && otelApp) {
  const smaller = relayApp.gzip <= otelApp.gzip;
  md +=
    `\n\nLike for like — a page whose metrics leave through a server-side endpoint (our relay; OTel's collector), ` +
    `no token in the page: the relay-only page is **${int(relayApp.gzip)} B** gzip, OpenTelemetry's metrics + OTLP/HTTP app ` +
    `**${int(otelApp.gzip)} B**: ours is ${smaller ? "smaller" : "larger"} by ${int(Math.abs(otelApp.gzip - relayApp.gzip))} B ` +
    `(${num((100 * Math.abs(otelApp.gzip - relayApp.gzip)) / otelApp.gzip, 2)} %)${Math.abs(otelApp.gzip - relayApp.gzip) < 0.02 * otelApp.gzip ? ", i.e. level" : ""}` +
    (fullApp
      ? `; the full \`apptuit/browser\` init (with direct mode) is ${int(fullApp.gzip)} B, OpenTelemetry's app ${ratio(otelApp.gzip, fullApp.gzip)} of it.`
      : ".");
  if (relaySplit) {
    md +=
      ` Those figures bundle \`web-vitals\` in, though the SDK loads it with a dynamic \`import()\` only for \`runtimeMetrics\`. ` +
      `Built with code splitting, as an app's bundler builds it, the relay-only page loads **${int(relaySplit.initial)} B** gzip at start ` +
      `and ${int(relaySplit.lazy)} B more on demand; OpenTelemetry's app built the same way loads ${int(otelSplit.initial)} B at start ` +
      `(${ratio(otelSplit.initial, relaySplit.initial)} ours) and ${int(otelSplit.lazy)} B on demand.`;
  }
}
md += `\n\n### Our entry points (gzip), and each anchor app's size as a multiple of it\n\n`;
md += table(
  ["entry point", "min bytes", "gzip bytes", "size-limit budget", ...anchors.map((a) => `${short(a.name)} ×`)],
  ours.map((o) => [o.name, int(o.min), int(o.gzip), o.budget ? o.budget.text : "–", ...anchors.map((a) => ratio(a.gzip, o.gzip))]),
  ["l", "r", "r", "r", ...anchors.map(() => "r" as const)],
);
if (missing.length) md += `\n\nNot measured (missing from dist/, run \`npm run build\`): ${missing.join(", ")}.`;

const losses: string[] = [];
for (const a of anchors) {
  const beats = ourApps.filter((o) => a.gzip <= o.gzip);
  if (beats.length === 0) continue;
  losses.push(
    `Size: ${short(a.name)}'s minimal app is ${int(a.gzip)} B gzip, smaller than ` +
      beats.map((o) => `our ${o === relayApp ? "relay-only page" : "full `apptuit/browser` init"} (${int(o.gzip)} B)`).join(" and ") +
      ".",
  );
}
const goals: Goal[] = ours
  .filter((o) => o.budget !== undefined && (o.name.includes("iife") || o.name.includes("browser")))
  .map((o) => ({
    goal: `${o.name} ≤ ${o.budget!.text} gzip (package.json size-limit budget)`,
    result: `${int(o.gzip)} B`,
    met: o.gzip <= o.budget!.limit,
  }));
if (relayApp && otelApp) {
  const d = relayApp.gzip - otelApp.gzip;
  goals.push({
    goal: "relay-only page app vs OpenTelemetry metrics + OTLP/HTTP app, gzip (like for like; reported, not a goal)",
    result: `${int(relayApp.gzip)} vs ${int(otelApp.gzip)} B (${d > 0 ? "+" : "−"}${int(Math.abs(d))} B, ${d > 0 ? "+" : "−"}${num((100 * Math.abs(d)) / otelApp.gzip, 2)} %)`,
    met: "info",
  });
  if (relaySplit) {
    goals.push({
      goal: "relay-only page vs OpenTelemetry app, gzip loaded at start when built with code splitting (reported, not a goal)",
      result: `${int(relaySplit.initial)} vs ${int(otelSplit.initial)} B (+ ${int(relaySplit.lazy)} vs ${int(otelSplit.lazy)} B on demand)`,
      met: "info",
    });
  }
}

finish({
  part: "size",
  title: "Size",
  startedAt: new Date(started).toISOString(),
  durationMs: Date.now() - started,
  markdown: md,
  losses,
  goals,
});
