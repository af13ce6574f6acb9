// The terminal demo (`node demo/server.mjs --cli`, or `node demo/cli.mjs`): start the embedded
// Apptuit backend on 127.0.0.1, send two hours of one-minute metrics for a few hosts through
// the client, query them back, print tables and exit.
//
//   PORT=8080 node demo/cli.mjs                    fixed port for the embedded backend
//   APPTUIT_ENDPOINT=https://api.apptuit.ai APPTUIT_API_TOKEN=… node demo/cli.mjs
//                                                  same run against a real endpoint
//
// Imports the built package (dist/), so run `npm run build` first.
import { randomUUID } from "node:crypto";
import { formatTable } from "./format-table.mjs";
import { serve } from "./node-bridge.mjs";

const { Apptuit, createBackend } = await loadPackage();

const HOSTS = ["web-1", "web-2", "web-3", "web-4"];
const MINUTES = 120;
const TAGS = { source: "apptuit-js-demo" };

async function main() {
  const env = process.env;
  const external = env.APPTUIT_ENDPOINT !== undefined || env.APPTUIT_API_TOKEN !== undefined;
  if (external && !(env.APPTUIT_ENDPOINT && env.APPTUIT_API_TOKEN)) {
    console.error("Set both APPTUIT_ENDPOINT and APPTUIT_API_TOKEN to run against a real endpoint (or neither for the embedded backend).");
    return 2;
  }

  let token = env.APPTUIT_API_TOKEN;
  let endpoint = env.APPTUIT_ENDPOINT;
  let local;
  if (!external) {
    token = randomUUID();
    const backend = createBackend({ token });
    local = await serve((request) => backend.fetch(request), { port: Number(env.PORT ?? 0) });
    endpoint = local.url;
    console.log(`embedded Apptuit backend listening on ${endpoint}`);
  }

  try {
    const client = new Apptuit({ token, endpoint, globalTags: TAGS });
    // A window of whole half hours ending now, so every downsampled bucket is complete
    // (the client drops buckets labelled before `start`).
    const end = Math.floor(Date.now() / 1000 / 1800) * 1800;
    const start = end - MINUTES * 60;
    const points = generate(start);

    const sent = await client.send(points);
    console.log(
      `sent ${sent.points} points (${HOSTS.length} hosts x 3 metrics x ${MINUTES} minutes) in ${sent.requests} request(s) to ${endpoint}\n`,
    );

    const cpuQuery = "fetch('demo_cpu_percent').downsample('10m', 'avg')";
    const cpu = await queryUntilData(client, cpuQuery, start, end - 1, external);
    console.log(formatTable(cpu.at(0).toTable(), { title: `${cpuQuery}` }));

    const named = [
      "req = fetch('demo_http_requests', {host: 'web-1|web-2'}).downsample('30m', 'sum');",
      "lat = fetch('demo_http_latency_ms', {host: 'web-1'}).downsample('30m', 'max');",
      "output(req, lat)",
    ].join(" ");
    const result = await client.query(named, { start, end: end - 1 });
    console.log(
      formatTable(result.get("req").toTable(), {
        title: "req: fetch('demo_http_requests', {host: 'web-1|web-2'}).downsample('30m', 'sum')",
        digits: 0,
      }),
    );
    console.log(
      formatTable(result.get("lat").toTable(), { title: "lat: fetch('demo_http_latency_ms', {host: 'web-1'}).downsample('30m', 'max')" }),
    );

    const prom = await client.promQuery('demo_cpu_percent{host="web-3"}', { start, end: end - 60, step: 60 });
    const values = prom.series[0]?.values ?? [];
    console.log(
      `promQuery demo_cpu_percent{host="web-3"} step 60s: ${prom.series.length} series, ${values.length} points, first ${values[0]?.toFixed(2)}, last ${values.at(-1)?.toFixed(2)}`,
    );
    return 0;
  } finally {
    await local?.close();
  }
}

/** CPU %, request counts and latency for each host and minute: daily-ish waves plus noise. */
function generate(start) {
  const random = seeded(42);
  const points = [];
  HOSTS.forEach((host, h) => {
    for (let i = 0; i < MINUTES; i++) {
      const timestamp = start + i * 60;
      const wave = Math.sin((i / MINUTES) * 2 * Math.PI + h);
      const tags = { host };
      points.push({ metric: "demo_cpu_percent", tags, timestamp, value: round(45 + 25 * wave + 8 * random()) });
      points.push({ metric: "demo_http_requests", tags, timestamp, value: Math.round(600 + 300 * wave + 100 * random()) });
      points.push({ metric: "demo_http_latency_ms", tags, timestamp, value: round(80 + 40 * wave + 60 * random() ** 4) });
    }
  });
  return points;
}

/** A real endpoint may index new points with a delay: poll a little before giving up. */
async function queryUntilData(client, q, start, end, patient) {
  for (let attempt = 0; ; attempt++) {
    const result = await client.query(q, { start, end });
    if (result.length > 0 || !patient || attempt >= 15) {
      if (result.length === 0) throw new Error(`no data came back for ${q}`);
      return result;
    }
    await new Promise((resolve) => setTimeout(resolve, 2000));
  }
}

function seeded(seed) {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

function round(value) {
  return Math.round(value * 100) / 100;
}

async function loadPackage() {
  try {
    const [{ Apptuit }, { createBackend }] = await Promise.all([import("../dist/esm/index.js"), import("../dist/esm/backend.js")]);
    return { Apptuit, createBackend };
  } catch (error) {
    if (error?.code === "ERR_MODULE_NOT_FOUND") {
      console.error("demo: the built package is missing; run `npm run build` first (`npm run demo` does both).");
      process.exit(1);
    }
    throw error;
  }
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error) => {
    console.error(`demo failed: ${error?.name ?? "Error"}: ${error?.message ?? error}`);
    process.exitCode = 1;
  },
);
