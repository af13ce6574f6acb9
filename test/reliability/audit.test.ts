// `npm audit --omit=dev` must be clean. When the registry's audit endpoint cannot be
// reached (offline CI, a registry mirror without the audit API) this fails and says so:
// an audit that did not run is not a clean audit.
import { execFile } from "node:child_process";
import { expect, it } from "vitest";

interface AuditJson {
  error?: { code?: string; summary?: string; detail?: string };
  /** What npm prints instead of a report when the audit endpoint answered an error. */
  message?: string;
  statusCode?: number;
  metadata?: { vulnerabilities?: Record<string, number>; dependencies?: { prod?: number } };
  vulnerabilities?: Record<string, { severity: string; via: unknown[] }>;
}

function audit(): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile("npm", ["audit", "--omit=dev", "--json"], { cwd: process.cwd(), timeout: 60_000, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

it("npm audit --omit=dev reports no vulnerabilities", async () => {
  const { code, stdout, stderr } = await audit();
  let report: AuditJson | undefined;
  try {
    report = JSON.parse(stdout) as AuditJson;
  } catch {
    report = undefined;
  }
  if (report?.metadata === undefined) {
    const why = [report?.error?.code, report?.error?.summary, report?.message, stderr.trim().split("\n").slice(-2).join(" | ")].filter(Boolean).join(" — ");
    throw new Error(
      `npm audit did not run: the registry's audit endpoint could not be used (${why.slice(0, 400)}). ` +
        "This is not a clean audit; run `npm audit --omit=dev` where the registry's audit API is reachable.",
    );
  }
  const counts = report!.metadata!.vulnerabilities ?? {};
  const found = Object.entries(report!.vulnerabilities ?? {}).map(([name, v]) => `${name} (${v.severity})`);
  expect(found, `npm audit --omit=dev (exit ${code}) found: ${JSON.stringify(counts)}`).toEqual([]);
  expect(code).toBe(0);
}, 90_000);
