import { ApptuitClient } from "./client-base";
import { createHttp } from "./ky-http";
import type { ApptuitOptions } from "./options";
import { withEnv } from "./env";

export type { SendOptions, PromRangeOptions, PromInstantOptions } from "./client-base";
export { ApptuitClient } from "./client-base";

/**
 * Client of the Apptuit write, query and PromQL APIs, on `fetch` only, so it runs in
 * browsers, Workers, Deno, edge runtimes and Node.
 *
 * ```ts
 * const client = new Apptuit({ token, globalTags: { service: "orders" } });
 * await client.send([{ metric: "proc.cpu.percent", tags: { host: "a" }, timestamp: Date.now() / 1000, value: 0.5 }]);
 * ```
 */
export class Apptuit extends ApptuitClient {
  constructor(options: ApptuitOptions = {}) {
    super(withEnv(options), createHttp);
  }
}
