import { defineConfig } from "vitest/config";

// One project per layer of testing, so `npm test` runs them all and each can run alone
// with `npx vitest run --project <name>`. Real-runtime projects use the built package
// (`npm run build` first; `npm test` does it).
const runtime = (name: string, extra: Record<string, unknown> = {}) => ({
  test: {
    name,
    include: [`test/${name}/**/*.test.ts`],
    testTimeout: 60_000,
    fileParallelism: false,
    hookTimeout: 180_000,
    ...extra,
  },
});

export default defineConfig({
  test: {
    reporters: ["default", "./test/harness/summary-reporter.ts"],
    projects: [
      {
        test: {
          name: "unit",
          include: ["test/unit/**/*.test.ts"],
          environment: "node",
          setupFiles: ["test/harness/fast-check-seed.ts"],
          // Property tests take seconds on a loaded 2-core machine: the default 5 s is a clock, not a check.
          testTimeout: 60_000,
        },
      },
      {
        // The client's HTTP suites again on the direct script tag's client (`fetch` alone, no
        // ky: test/unit/core/helpers.ts picks it): it must answer every case the same way.
        test: {
          name: "unit-fetch-http",
          include: ["send", "query", "prom", "errors", "validation", "hostile-answers", "apptuit-py-query"].map(
            (suite) => `test/unit/core/${suite}.test.ts`,
          ),
          environment: "node",
          env: { APPTUIT_HTTP: "fetch" },
          setupFiles: ["test/harness/fast-check-seed.ts"],
          testTimeout: 60_000,
        },
      },
      runtime("e2e", { globalSetup: ["test/e2e/victoria-metrics.ts"], testTimeout: 30_000 }),
      runtime("browser"),
      // The Durable Object tests write through to VictoriaMetrics as well.
      runtime("workers", { globalSetup: ["test/e2e/victoria-metrics.ts"] }),
      runtime("next"),
      runtime("deno"),
      runtime("node"),
      runtime("relay"),
      runtime("reliability", { testTimeout: 120_000, execArgv: ["--expose-gc"], setupFiles: ["test/harness/fast-check-seed.ts"] }),
      runtime("package", { testTimeout: 180_000 }),
      runtime("demo"),
    ],
  },
});
