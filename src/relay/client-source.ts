/**
 * Where the relay's client comes from: a ready one, one built from options at creation
 * (so a bad token or endpoint fails early), or, on Workers where bindings arrive with each
 * request, one built from `context.env` on first use and kept per env object.
 */
import { Apptuit } from "../core/client";
import { ApptuitConfigError } from "../core/errors/config-error";
import type { RelayClient, RelayContext, RelayOptions } from "./options";

export type ClientSource = (context: RelayContext) => RelayClient;

export function createClientSource(options: RelayOptions): ClientSource {
  const ready = options.client;
  if (ready !== undefined) return () => ready;
  const build = (env: Record<string, unknown> | undefined): RelayClient =>
    new Apptuit({
      ...options.clientOptions,
      token: options.token,
      endpoint: options.endpoint,
      writeEndpoint: options.writeEndpoint,
      env: stringsOf(env),
    });
  if (options.token !== undefined || options.env !== undefined) {
    const client = build(options.env);
    return () => client;
  }
  const byEnv = new WeakMap<object, RelayClient>();
  return (context) => {
    const env = context.env;
    if (env === undefined || env === null) {
      throw new ApptuitConfigError(
        "The relay has no API token: pass `token` or `env` to createRelay, or a `context.env` with APPTUIT_API_TOKEN",
      );
    }
    let client = byEnv.get(env);
    if (client === undefined) {
      client = build(env);
      byEnv.set(env, client);
    }
    return client;
  };
}

/** Workers bindings mix strings with KV namespaces and the like: keep the strings. */
function stringsOf(env: Record<string, unknown> | undefined): Record<string, string | undefined> | undefined {
  if (env === undefined) return undefined;
  const out: Record<string, string | undefined> = {};
  for (const [key, value] of Object.entries(env)) if (typeof value === "string") out[key] = value;
  return out;
}
