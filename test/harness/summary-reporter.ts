// Prints one line per vitest project (unit, e2e, browser, workers, …) and a closing
// "N passed, N failed" line, so CI logs show at a glance which runtime broke.
import type { Reporter, TestModule } from "vitest/node";

export default class SummaryReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    const byProject = new Map<string, { passed: number; failed: number; skipped: number; ms: number }>();
    for (const module of testModules) {
      const name = module.project.name || "default";
      const row = byProject.get(name) ?? { passed: 0, failed: 0, skipped: 0, ms: 0 };
      row.ms += module.diagnostic().duration;
      if (module.state() === "failed" && [...module.children.allTests()].length === 0) row.failed += 1; // a file that failed to load
      for (const test of module.children.allTests()) {
        const state = test.result().state;
        if (state === "passed") row.passed += 1;
        else if (state === "failed") row.failed += 1;
        else row.skipped += 1;
      }
      byProject.set(name, row);
    }
    let passed = 0;
    let failed = 0;
    const lines = ["", "runtime summary:"];
    for (const [name, row] of [...byProject].sort(([a], [b]) => a.localeCompare(b))) {
      passed += row.passed;
      failed += row.failed;
      const skipped = row.skipped ? `, ${row.skipped} skipped` : "";
      lines.push(`  ${name.padEnd(12)} ${row.passed} passed, ${row.failed} failed${skipped} (${(row.ms / 1000).toFixed(1)} s)`);
    }
    lines.push(`${passed} passed, ${failed} failed`);
    console.log(lines.join("\n"));
  }
}
