// `npm run demo`: one local server on 127.0.0.1 that shows the whole SDK working.
//
//   /                a page that loads the SDK with one <script> tag, records clicks, a timer
//                    around simulated work and Core Web Vitals, and charts its own metrics live
//   /apptuit         the relay (createRelay): the page posts here, the token stays on the server
//   /query/*         read-only query proxy for the charts (adds the token server-side)
//   /worker/*        a Worker-style handler wrapped by withApptuit({ requestMetrics: true })
//   /api/put, /api/query, /api/v1/*   the embedded backend (default target)
//
//   PORT=8080 npm run demo  (or -- --port 8080)                  fixed port (default 8787, else any free one)
//   APPTUIT_ENDPOINT=https://api.apptuit.ai APPTUIT_API_TOKEN=… npm run demo   real Apptuit
//   npm run demo -- --victoria-metrics http://127.0.0.1:8428 [--victoria-metrics-write http://127.0.0.1:4242]
//   DEMO_VICTORIA_METRICS=http://127.0.0.1:8428 npm run demo     same, by environment
//   npm run demo -- --cli                                        the terminal demo (cli.mjs): send, query, print, exit
//   DEMO_EXIT_AFTER_MS=30000 npm run demo                        stop by itself (tests, CI)
//
// Imports the built package (dist/), so run `npm run build` first (`npm run demo` does).
import { createServer } from "node:http";
import { parseArgs } from "node:util";
import { createDemoApp } from "./app.mjs";
import { toRequest, writeResponse } from "./node-bridge.mjs";
import { resolveTarget } from "./target.mjs";

const DEFAULT_PORT = 8787;
const PAGE_INTERVAL_MS = 2000;

const flags = parseFlags();

if (flags.help) {
  // The comment block at the top of this file is the help.
  const lines = (await import("node:fs")).readFileSync(new URL(import.meta.url), "utf8").split("\n");
  const header = lines.slice(
    0,
    lines.findIndex((l) => !l.startsWith("//")),
  );
  console.log(header.map((l) => l.replace(/^\/\/ ?/, "")).join("\n"));
} else if (flags.cli) {
  await import("./cli.mjs");
} else {
  main().catch((error) => {
    console.error(`demo failed: ${error?.name ?? "Error"}: ${error?.message ?? error}`);
    process.exitCode = 1;
  });
}

function parseFlags() {
  try {
    return parseArgs({
      options: {
        cli: { type: "boolean", default: false },
        port: { type: "string" },
        "victoria-metrics": { type: "string" },
        "victoria-metrics-write": { type: "string" },
        help: { type: "boolean", short: "h", default: false },
      },
      strict: true,
    }).values;
  } catch (error) {
    console.error(`demo: ${error.message}; see \`node demo/server.mjs --help\``);
    process.exit(2);
  }
}

async function main() {
  const env = process.env;
  const target = resolveTarget({ victoriaMetrics: flags["victoria-metrics"], victoriaMetricsWrite: flags["victoria-metrics-write"] }, env);
  if ("error" in target) {
    console.error(target.error);
    process.exitCode = 2;
    return;
  }
  const { createBackend, createRelay, worker } = await loadPackage();

  const backend = target.kind === "embedded" ? createBackend({ token: target.token }) : undefined;
  let app = () => Promise.resolve(new Response("starting\n", { status: 503 }));
  const { server, url } = await listen((request, clientId) => app(request, { clientId }), flags.port ?? env.PORT);

  // The embedded backend lives on this very server, so relay and Worker write to it over HTTP
  // like they would to api.apptuit.ai.
  const writeEndpoint = target.writeEndpoint ?? url;
  const relay = createRelay({
    token: target.token,
    endpoint: writeEndpoint,
    // Server-side tags the page cannot forge.
    tags: { relay: "demo" },
    // One write per series every 2 s, whatever the number of tabs (the page flushes as often).
    aggregate: { windowMs: PAGE_INTERVAL_MS, graceMs: 500 },
  });
  const pending = new Set();
  const executionContext = () => ({
    // Workers keep the isolate alive for these; here the process is alive anyway, but the
    // set lets a shutdown wait for flushes still in flight.
    waitUntil(promise) {
      pending.add(promise);
      promise.finally(() => pending.delete(promise)).catch(() => {});
    },
    passThroughOnException() {},
  });
  // Bindings as a Worker would get them (wrangler secrets / vars).
  const workerEnv = { APPTUIT_API_TOKEN: target.token, APPTUIT_ENDPOINT: writeEndpoint, DEMO_FLUSH_INTERVAL_MS: String(PAGE_INTERVAL_MS) };
  app = createDemoApp({ target, backend, relay, worker, workerEnv, executionContext, interval: PAGE_INTERVAL_MS });

  console.log(`apptuit demo: backend: ${target.label}`);
  if (target.kind === "victoria-metrics") {
    console.log("apptuit demo: start VictoriaMetrics with -search.latencyOffset=0s, or the charts lag 30 s behind");
  }
  console.log(`apptuit demo: open ${url}/   (Ctrl-C to stop)`);

  let stopping = false;
  const stop = async (reason) => {
    if (stopping) return;
    stopping = true;
    console.log(`apptuit demo: stopping (${reason})`);
    const force = setTimeout(() => process.exit(0), 5000);
    force.unref();
    await worker.reporter?.flush().catch(() => {});
    await Promise.allSettled([...pending]);
    await new Promise((resolve) => {
      server.close(resolve);
      server.closeAllConnections();
    });
  };
  process.once("SIGINT", () => void stop("SIGINT"));
  process.once("SIGTERM", () => void stop("SIGTERM"));
  const exitAfter = Number(env.DEMO_EXIT_AFTER_MS);
  if (exitAfter > 0) setTimeout(() => void stop(`DEMO_EXIT_AFTER_MS=${exitAfter}`), exitAfter).unref();
}

/**
 * Listens on 127.0.0.1: an explicit port must be free; the default 8787 falls back to any
 * free port when taken (another demo still running).
 */
async function listen(handle, portText) {
  const explicit = portText !== undefined && portText !== "";
  const port = explicit ? Number(portText) : DEFAULT_PORT;
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new RangeError(`PORT must be a port number, got ${portText}`);
  const server = createServer((req, res) => {
    const request = toRequest(req, res);
    handle(request, req.socket.remoteAddress)
      .then((response) => writeResponse(response, res))
      .catch((error) => {
        if (error?.name === "AbortError" || error?.code === "ERR_STREAM_PREMATURE_CLOSE") return;
        console.error(`apptuit demo: ${req.method} ${req.url?.split("?")[0]}: ${error?.message ?? error}`);
        if (!res.headersSent) res.writeHead(500, { "content-type": "text/plain; charset=utf-8" });
        res.end("internal error\n");
      });
  });
  try {
    await bind(server, port);
  } catch (error) {
    if (error?.code === "EADDRINUSE" && explicit)
      throw new Error(`port ${port} is taken: choose another PORT (or leave it unset for 8787 or any free port)`);
    if (error?.code !== "EADDRINUSE") throw error;
    console.log(`apptuit demo: port ${port} is taken, using a free one`);
    await bind(server, 0);
  }
  return { server, url: `http://127.0.0.1:${server.address().port}` };
}

function bind(server, port) {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
}

async function loadPackage() {
  try {
    const [{ createBackend }, { createRelay }, { default: worker }] = await Promise.all([
      import("../dist/esm/backend.js"),
      import("../dist/esm/relay.js"),
      import("./worker.mjs"),
    ]);
    return { createBackend, createRelay, worker };
  } catch (error) {
    if (error?.code === "ERR_MODULE_NOT_FOUND") {
      console.error("demo: the built package is missing; run `npm run build` first (`npm run demo` does both).");
      process.exit(1);
    }
    throw error;
  }
}
