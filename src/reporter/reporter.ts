import { Apptuit } from "../core/client";
import type { ApptuitReporterOptions, ReporterClientOptions } from "./options";
import { ReporterCore } from "./reporter-core";

export type { FlushOptions } from "./reporter-core";

/**
 * Collects a registry at an interval and sends its points (docs/metrics.md) — see
 * `ReporterCore` for the guarantees. Without `client`, it builds an `Apptuit` client from
 * `token`/`endpoint`/`env`/`clientOptions`.
 */
export class ApptuitReporter extends ReporterCore {
  constructor(options: ApptuitReporterOptions) {
    // The client's options stay here: the core gets the sender, never a credential.
    const { token, endpoint, env, retry, clientOptions, ...core } = options;
    super(core, () => buildClient({ token, endpoint, env, retry, clientOptions }));
  }
}

function buildClient(options: ReporterClientOptions): Apptuit {
  const o = { ...options.clientOptions };
  if (options.token !== undefined) o.token = options.token;
  if (options.endpoint !== undefined) o.endpoint = options.endpoint;
  if (options.env !== undefined) o.env = options.env;
  if (options.retry !== undefined) o.retry = options.retry;
  return new Apptuit(o);
}
