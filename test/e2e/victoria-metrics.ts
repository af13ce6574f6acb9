// Vitest global setup: starts a real VictoriaMetrics (OpenTSDB /api/put on one port, the
// Prometheus API on another) in a temp dir, hands its URLs to the tests, and stops it by PID.
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestProject } from "vitest/node";
import { freePort } from "../harness/ports";

const BINARY = process.env.VICTORIA_METRICS_BIN ?? "/usr/bin/victoria-metrics";

declare module "vitest" {
  export interface ProvidedContext {
    victoriaMetrics: { putUrl: string; httpUrl: string };
  }
}

async function waitHealthy(url: string, child: ChildProcess, log: () => string): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`victoria-metrics exited with ${child.exitCode}:\n${log()}`);
    try {
      if ((await fetch(`${url}/health`)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`victoria-metrics did not become healthy within 15 s:\n${log()}`);
}

export default async function setup(project: TestProject) {
  if (!existsSync(BINARY)) {
    throw new Error(
      `VictoriaMetrics is required for the end-to-end tests but ${BINARY} is missing.\n` +
        "Install it with: sudo apt-get install -y victoria-metrics  (or set VICTORIA_METRICS_BIN)",
    );
  }
  const dir = mkdtempSync(join(tmpdir(), "apptuit-vm-"));
  const [httpPort, putPort] = [await freePort(), await freePort()];
  let output = "";
  const child = spawn(
    BINARY,
    [
      `-storageDataPath=${dir}`,
      `-httpListenAddr=127.0.0.1:${httpPort}`,
      `-opentsdbHTTPListenAddr=127.0.0.1:${putPort}`,
      "-retentionPeriod=100y",
      "-search.latencyOffset=0s",
      "-search.disableCache",
      "-search.maxStepForPointsAdjustment=1ms",
      "-loggerLevel=WARN",
    ],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  child.stdout!.on("data", (d) => (output += d));
  child.stderr!.on("data", (d) => (output += d));
  const httpUrl = `http://127.0.0.1:${httpPort}`;
  await waitHealthy(httpUrl, child, () => output);
  project.provide("victoriaMetrics", { putUrl: `http://127.0.0.1:${putPort}`, httpUrl });

  return async () => {
    child.kill("SIGTERM");
    await new Promise((r) => (child.exitCode !== null ? r(null) : child.once("exit", r)));
    rmSync(dir, { recursive: true, force: true });
  };
}
