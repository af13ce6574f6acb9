import { DEPRECATED_ENV_NAMES, parseTags, readDisableHostTag, readEnvVariable } from "../../core/env";
import { ApptuitConfigError } from "../../core/errors/config-error";
import type { Tags } from "../../core/types";
import type { EnvRead } from "./runtime";

/** The variables a server adapter reads (docs/wire-format.md). */
export const ENV_NAMES = [
  "APPTUIT_API_TOKEN",
  "APPTUIT_TAGS",
  "APPTUIT_ENDPOINT",
  "APPTUIT_DISABLE_HOST_TAG",
  ...Object.values(DEPRECATED_ENV_NAMES),
] as const;

/** What the environment contributes, already validated. */
export interface EnvConfig {
  token: string | undefined;
  endpoint: string | undefined;
  /** Parsed `APPTUIT_TAGS`, undefined when unset. */
  tags: Tags | undefined;
  disableHostTag: boolean;
}

/**
 * Validates the environment up front so that a malformed variable fails `init()` with an
 * `ApptuitConfigError` naming it, instead of surfacing later from a background flush.
 */
export function envConfig(read: EnvRead): EnvConfig {
  const { env } = read;
  const text = readEnvVariable(env, "APPTUIT_TAGS");
  return {
    token: nonEmpty(readEnvVariable(env, "APPTUIT_API_TOKEN")),
    endpoint: nonEmpty(env.APPTUIT_ENDPOINT),
    tags: text === undefined || text.trim() === "" ? undefined : parseTags(text, "APPTUIT_TAGS"),
    disableHostTag: readDisableHostTag(env),
  };
}

/** The error for "no token anywhere", explaining a denied environment when that is the cause. */
export function missingTokenError(read: EnvRead): ApptuitConfigError {
  const denied = read.denied.includes("APPTUIT_API_TOKEN");
  return new ApptuitConfigError(
    "APPTUIT_API_TOKEN: no API token; pass `token` (or `client`) to init() or set APPTUIT_API_TOKEN" +
      (denied ? `. The environment could not be read${read.hint ? `: ${read.hint}` : ""}` : ""),
  );
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === "" ? undefined : value.trim();
}
