// Starts test/relay/fixtures/deno-relay.js in the real Deno binary with the narrowest
// permissions that work: network to 127.0.0.1 and two environment variables.
import { join } from "node:path";
import { requireFile, root, startBackground, TOKEN, type Background } from "./support";

export interface DenoRelayConfig {
  allowedOrigins?: string[];
  allowedPrefixes?: string[];
  maxPoints?: number;
  rateLimit?: { requests?: number; points?: number; windowMs?: number } | false;
}

export interface DenoRelay {
  url: string;
  process: Background;
  stop(): Promise<void>;
}

export async function startDenoRelay(config: DenoRelayConfig, upstreamUrl: string): Promise<DenoRelay> {
  const deno = requireFile(
    join(root, "node_modules/.bin/deno"),
    "install the dev dependencies (`npm ci`): the `deno` package ships the binary",
  );
  requireFile(join(root, "dist/bundle/relay.js"), "build first: `npm run build`");
  const program = join(root, "test/relay/fixtures/deno-relay.js");
  const args = [
    "run",
    "--no-prompt",
    "--allow-net=127.0.0.1",
    "--allow-env=APPTUIT_API_TOKEN,APPTUIT_ENDPOINT",
    program,
    JSON.stringify(config),
  ];
  const process_ = startBackground(deno, args, {
    env: {
      PATH: process.env.PATH ?? "",
      HOME: process.env.HOME ?? "",
      NO_COLOR: "1",
      DENO_NO_UPDATE_CHECK: "1",
      APPTUIT_API_TOKEN: TOKEN,
      APPTUIT_ENDPOINT: upstreamUrl,
    },
  });
  const [, port] = await process_.waitFor(/READY (\d+)/);
  return { url: `http://127.0.0.1:${port}/apptuit`, process: process_, stop: () => process_.stop() };
}
