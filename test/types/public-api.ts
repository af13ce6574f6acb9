// Type tests of the public API, compiled by `tsc` against the BUILT package through its
// own `exports` map (self-reference: `import … from "apptuit/…"`), under both `bundler`
// and `node16` resolution. `@ts-expect-error` lines prove that misuse is rejected.
import {
  Apptuit,
  ApptuitError,
  ApptuitReporter,
  ApptuitSendError,
  MetricsRegistry,
  decodeMetric,
  encodeMetric,
  type DataPoint,
  type QueryResult,
  type Table,
} from "apptuit";
import { createBackend } from "apptuit/backend";
import { init as initBrowser } from "apptuit/browser";
import { init as initRelayPage } from "apptuit/browser/relay";
import { init as initDeno } from "apptuit/deno";
import { withApptuit as withNext } from "apptuit/next";
import { init as initNode, type InitOptions } from "apptuit/node";
import { createRelay, decodeCompact, encodeCompact } from "apptuit/relay";
import { withApptuit as withWorkers } from "apptuit/workers";

declare function expectType<T>(value: T): void;

// ---- core client
const client = new Apptuit({ token: "t", endpoint: "https://api.apptuit.ai", globalTags: { env: "dev" }, sanitize: "prometheus" });
new Apptuit({ env: { APPTUIT_API_TOKEN: "t", APPTUIT_TAGS: "a: b" }, sanitize: false, timeout: 5_000, retry: 2 });
// @ts-expect-error unknown sanitize mode
new Apptuit({ token: "t", sanitize: "snake" });
const point: DataPoint = { metric: "proc.cpu.percent", tags: { host: "a" }, timestamp: 1_700_000_000, value: 0.5 };
// @ts-expect-error a value must be a number
const bad: DataPoint = { metric: "m", tags: { host: "a" }, timestamp: 1, value: "1" };
void bad;
expectType<Promise<{ points: number; requests: number }>>(client.send([point]));
client.sendTimeseries([{ metric: "m", tags: { k: "v" }, timestamps: [1, 2], values: [1, 2] }]);
// @ts-expect-error tag values are strings
client.send([{ metric: "m", tags: { k: 1 }, timestamp: 1, value: 1 }]);
async function queries() {
  const result: QueryResult = await client.query("fetch('m')", { start: 0, end: new Date() });
  const table: Table | undefined = result.get("m")?.toTable();
  expectType<number[] | undefined>(table?.timestamps);
  expectType<(number | null)[] | undefined>(table?.columns[0]?.values);
  result.at(0)?.series.forEach((s) => expectType<Record<string, string>>(s.tags));
  const prom = await client.promQuery("rate(x[5m])", { start: 0, end: 60, step: 15 });
  expectType<string>(prom.id);
  await client.promQueryInstant("up");
}
void queries;
const encoded: string = encodeMetric("node.cpu", { type: "idle" });
expectType<{ name: string; tags: Record<string, string> }>(decodeMetric(encoded));
function handle(error: unknown) {
  if (error instanceof ApptuitSendError) expectType<number>(error.failed);
  if (error instanceof ApptuitError) expectType<string>(error.message);
}
void handle;

// ---- registry and reporter
const registry = new MetricsRegistry();
registry.counter("order_count", { city: "NYC" }).inc();
registry.meter("requests").mark();
registry.histogram("sizes").update(10);
registry.gauge("queue", () => 3);
const timer = registry.timer("latency");
const stop: () => number = timer.start();
void stop;
expectType<Promise<number>>(timer.time(async () => 1));
// @ts-expect-error tags are strings
registry.counter("c", { n: 1 });
const reporter = new ApptuitReporter({
  registry,
  client,
  interval: 60_000,
  prefix: "svc.",
  tags: { host: "a" },
  onError: null,
  temporality: "delta",
});
// @ts-expect-error unknown temporality
new ApptuitReporter({ registry, client, temporality: "sometimes" });
reporter.start();
void reporter.flush();
void reporter.stop();

// ---- platforms
const worker = withWorkers(
  {
    async fetch() {
      return new Response("ok");
    },
  },
  { registry, requestMetrics: true },
);
void worker;
interface Env {
  APPTUIT_API_TOKEN: string;
  REGION: string;
}
// The options function receives the handler's own Env type.
withWorkers(
  {
    async fetch(_request: Request, env: Env) {
      return new Response(env.REGION);
    },
  },
  (env) => ({ token: env.APPTUIT_API_TOKEN, tags: { region: env.REGION } }),
);
const middleware = withNext(() => undefined, { registry });
void middleware;
const { registry: denoRegistry } = initDeno({ interval: 60_000, token: "t" });
expectType<MetricsRegistry>(denoRegistry);
const node = initNode({ interval: 60_000, token: "t" });
void node.shutdown();
// One shape of options everywhere: the client's own options go under `clientOptions`.
const common: Omit<InitOptions, "client"> = {
  token: "t",
  endpoint: "https://api.apptuit.ai",
  globalTags: { app: "shop" },
  clientOptions: { timeout: 5_000, writeEndpoint: "http://vm:4242" },
};
initNode({ ...common, hostTag: false });
initDeno(common);
withWorkers(
  {
    async fetch() {
      return new Response("ok");
    },
  },
  common,
);
withNext(() => undefined, common);
// @ts-expect-error client options are not top-level options
initNode({ token: "t", timeout: 5_000 });
const plainWorker = { fetch: async () => new Response("ok") };
// @ts-expect-error writeEndpoint is a client option
withWorkers(plainWorker, { writeEndpoint: "http://vm:4242" });
// @ts-expect-error a reporter sends through a client or builds one from these options, not both
new ApptuitReporter({ registry, client, endpoint: "https://api.apptuit.ai" });
// @ts-expect-error with a client the reporter takes no credential: the client masks its own token
new ApptuitReporter({ registry, client, token: "t" });
new ApptuitReporter({ registry, token: "t", endpoint: "https://api.apptuit.ai", retry: 1 });

const page = initBrowser({ relayUrl: "/apptuit", interval: 10_000, tags: { app: "shop" }, runtimeMetrics: true });
expectType<MetricsRegistry>(page.registry);
void page.flush();
initRelayPage({ relayUrl: "/apptuit" }).registry.counter("clicks", { button: "buy" }).inc();
// @ts-expect-error a relay page has no token
initRelayPage({ relayUrl: "/apptuit", token: "t" });

// ---- relay and backend
const relay = createRelay({ token: "t", allowedOrigins: ["https://shop.example"], allowedPrefixes: ["web."] });
expectType<Promise<Response>>(relay(new Request("https://relay.example/apptuit")));
// A Next.js route handler's signature: `export { relay as POST }` must type-check.
const POST: (request: Request, context: { params: Promise<Record<string, string>> }) => Promise<Response> = relay;
void POST;
const compact: string = encodeCompact([{ metric: "m", tags: { k: "v" }, timestamp: 1, value: 1 }]);
decodeCompact(JSON.parse(compact));
const backend = createBackend({ token: "t" });
expectType<Promise<Response>>(backend.fetch(new Request("http://localhost/api/put")));
