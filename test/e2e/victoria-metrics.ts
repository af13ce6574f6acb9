// Vitest global setup: starts a real VictoriaMetrics (OpenTSDB /api/put on one port, the
// Prometheus API on another) in a temp dir, hands its URLs to the tests, and stops it by PID.
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestProject } from "vitest/node";

const BINARY = process.env.VICTORIA_METRICS_BIN ?? "/usr/bin/victoria-metrics";

declare module "vitest" {
  export interface ProvidedContext {
    victoriaMetrics: { putUrl: string; httpUrl: string };
  }
}

/**
 * `count` distinct ports that were free a moment ago on 127.0.0.1. All sockets stay bound
 * until every port is read, so the kernel cannot hand out the same port twice.
 */
async function freePorts(count: number): Promise<number[]> {
  const servers: Server[] = [];
  try {
    for (let i = 0; i < count; i++) {
      const server = createServer();
      servers.push(server);
      await new Promise<void>((resolve, reject) => {
        server.once("error", reject);
        server.listen(0, "127.0.0.1", () => resolve());
      });
    }
    return servers.map((server) => (server.address() as { port: number }).port);
  } finally {
    await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  }
}

/** VictoriaMetrics quit before it was healthy (e.g. a port was taken in the meantime). */
class ExitedEarly extends Error {}

async function waitHealthy(url: string, child: ChildProcess, log: () => string): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new ExitedEarly(`victoria-metrics exited with ${child.exitCode ?? child.signalCode}:\n${log()}`);
    }
    try {
      if ((await fetch(`${url}/health`)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`victoria-metrics did not become healthy within 15 s:\n${log()}`);
}

interface Running {
  child: ChildProcess;
  dir: string;
  httpUrl: string;
  putUrl: string;
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once("exit", r));
  child.kill("SIGTERM");
  await exited;
}

/** Starts VictoriaMetrics on fresh ports in a fresh data dir and waits until it is healthy. */
async function start(): Promise<Running> {
  const dir = mkdtempSync(join(tmpdir(), "apptuit-vm-"));
  const [httpPort, putPort] = await freePorts(2);
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
  try {
    await waitHealthy(httpUrl, child, () => output);
  } catch (error) {
    await stop(child);
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  return { child, dir, httpUrl, putUrl: `http://127.0.0.1:${putPort}` };
}

export default async function setup(project: TestProject) {
  if (!existsSync(BINARY)) {
    throw new Error(
      `VictoriaMetrics is required for the end-to-end tests but ${BINARY} is missing.\n` +
        "Install it with: sudo apt-get install -y victoria-metrics  (or set VICTORIA_METRICS_BIN)",
    );
  }
  let vm: Running;
  try {
    vm = await start();
  } catch (error) {
    // A port chosen by freePorts can be taken by another process before VictoriaMetrics binds
    // it; VictoriaMetrics then exits at once. Try once more on new ports; a second early exit
    // is a real problem and fails the setup with its log.
    if (!(error instanceof ExitedEarly)) throw error;
    console.warn(`victoria-metrics exited during start-up; retrying once on new ports.\n${error.message}`);
    vm = await start();
  }
  project.provide("victoriaMetrics", { putUrl: vm.putUrl, httpUrl: vm.httpUrl });

  return async () => {
    await stop(vm.child);
    rmSync(vm.dir, { recursive: true, force: true });
  };
}
