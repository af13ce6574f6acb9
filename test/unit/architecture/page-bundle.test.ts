// What the relay-mode page entries carry (docs/browser-page-size.md): the recording side and
// the page's own reporter, none of what the relay does or what only servers need.
import { build } from "esbuild";
import { describe, expect, it } from "vitest";

/** Source modules (and packages) bundled into `entry` for a browser. */
async function modulesOf(entry: string): Promise<string[]> {
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    write: false,
    metafile: true,
    format: "esm",
    platform: "browser",
    external: ["web-vitals"],
    logLevel: "silent",
  });
  const output = Object.values(result.metafile.outputs)[0]!;
  return Object.keys(output.inputs).filter((m) => output.inputs[m]!.bytesInOutput > 0);
}

const NOT_ON_THE_PAGE = [
  "src/registry/read-series.ts", // name decoding and repairs
  "src/registry/fields.ts", // Dropwizard fields
  "src/registry/rates.ts", // meters' and timers' rates
  "src/registry/snapshot.ts", // histograms' and timers' snapshot()
  "src/registry/percentile.ts", // quantiles, which a relay computes
  "src/registry/registry.ts", // the full registry
  "src/registry/family.ts", // the full registry's trie of series: a page keeps one map
  "src/registry/sketch.ts", // quantile sketches: a page keeps only the interval's buckets
  "src/registry/recording-histogram.ts",
  "src/reporter/prepare-valid.ts", // throw-and-resume: page points are prepared in one pass
  "src/reporter/reporter-core.ts", // the general reporter
  "src/reporter/ledger.ts",
  "src/core/client.ts",
  "src/core/names.ts", // sanitizing
  "src/platforms/browser/spread-posts.ts", // direct mode's requests beyond the quota
];

describe.each(["src/iife.ts", "src/platforms/browser/relay-page.ts"])("%s", (entry) => {
  it("carries neither the registry's reading side and trie, nor the general reporter, nor the client, ky or valibot", async () => {
    const modules = await modulesOf(entry);
    expect(modules).toContain("src/platforms/browser/page-registry.ts");
    expect(modules).toContain("src/platforms/browser/page-reporter.ts");
    expect(modules.filter((m) => NOT_ON_THE_PAGE.includes(m) || /node_modules\/(ky|valibot)\//.test(m))).toEqual([]);
  });
});

describe.each(["src/iife.ts", "src/iife-direct.ts"])("%s", (entry) => {
  it("leaves the runtime metrics and web-vitals to dist/apptuit-vitals.iife.js, loaded only with runtimeMetrics", async () => {
    const modules = await modulesOf(entry);
    expect(modules).toContain("src/platforms/browser/vitals-script.ts");
    expect(modules.filter((m) => /runtime-metrics\.ts|runtime-start\.ts|web-vitals/.test(m))).toEqual([]);
  });
});

describe("src/iife-direct.ts", () => {
  it("runs direct mode on the page reporter and a client on fetch alone: neither the general reporter nor ky is in the tag", async () => {
    const modules = await modulesOf("src/iife-direct.ts");
    expect(modules).toContain("src/platforms/browser/page-reporter.ts");
    expect(modules).toContain("src/registry/registry.ts"); // direct mode sends the full registry's fields
    expect(modules).toContain("src/platforms/browser/page-client.ts");
    expect(modules.filter((m) => /src\/reporter\/(reporter-core|ledger|reporter)\.ts$|node_modules\/ky\//.test(m))).toEqual([]);
  });

  it("carries no relay mode: its init takes endpoint + token only (relay mode is dist/apptuit.iife.js)", async () => {
    const modules = await modulesOf("src/iife-direct.ts");
    expect(modules).toContain("src/platforms/browser/direct-mode.ts");
    const relayMode = /platforms\/browser\/(relay-mode|either-mode|relay-sender|relay-post|page-writer|page-points|page-registry)\.ts$/;
    expect(modules.filter((m) => relayMode.test(m))).toEqual([]);
  });
});
