import type { Tags } from "./types";
import { type ApptuitOptions, checkTagLengths } from "./options";
import { setTag } from "./tags";
import { ApptuitConfigError } from "./errors/config-error";
import { VALID_NAME } from "./wire-rules";

/** The environment shape callers pass: Workers `env`, `Deno.env.toObject()`, `process.env`. */
export type Env = Record<string, string | undefined>;

/**
 * The names apptuit-py read before `APPTUIT_API_TOKEN` / `APPTUIT_TAGS` and still reads as
 * deprecated fallbacks: used only when the current name is unset or empty.
 */
export const DEPRECATED_ENV_NAMES = { APPTUIT_API_TOKEN: "APPTUIT_PY_TOKEN", APPTUIT_TAGS: "APPTUIT_PY_TAGS" } as const;

const warned = new Set<string>();

/**
 * `APPTUIT_API_TOKEN` or `APPTUIT_TAGS` from `env`, else (unset or empty) its deprecated
 * apptuit-py name, with one `console.warn` per process naming the replacement.
 */
export function readEnvVariable(env: Env | undefined, name: keyof typeof DEPRECATED_ENV_NAMES): string | undefined {
  const value = env?.[name];
  if (value) return value;
  const old = DEPRECATED_ENV_NAMES[name];
  const fallback = env?.[old];
  if (!fallback) return value;
  if (!warned.has(old)) {
    warned.add(old);
    globalThis.console?.warn(`apptuit: the environment variable ${old} is deprecated, use ${name} instead`);
  }
  return fallback;
}

/**
 * `options` with what their `env` supplies where they leave it out: the token
 * (`APPTUIT_API_TOKEN`, unless `token: null` or `auth: false`), the endpoint
 * (`APPTUIT_ENDPOINT`) and the global tags (`APPTUIT_TAGS`). Applied by the servers'
 * client (`Apptuit`) before `resolveOptions`; a page's client has no environment to read.
 */
export function withEnv(options: ApptuitOptions): ApptuitOptions {
  const env = options.env;
  if (env === undefined) return options;
  const noAuth = options.token === null || options.auth === false;
  const tags = options.globalTags === undefined ? readEnvVariable(env, "APPTUIT_TAGS") : undefined;
  return {
    ...options,
    ...(!noAuth && !options.token && { token: readEnvVariable(env, "APPTUIT_API_TOKEN") }),
    ...(options.endpoint === undefined && { endpoint: env.APPTUIT_ENDPOINT }),
    ...(tags && { globalTags: checkTagLengths(parseTags(tags, "APPTUIT_TAGS"), "APPTUIT_TAGS") }),
  };
}

/**
 * Parses `APPTUIT_TAGS` as apptuit-py does: `"k1: v1, k2: v2"`, spaces optional, empty
 * segments (`", , a: b,"`) ignored; each segment must hold exactly one `:`, and keys may
 * only contain Unicode letters, digits, `-`, `_`, `.` and `/`. Unlike apptuit-py, an empty
 * value (`"a:"`) is refused too: the write API would refuse every point carrying it.
 */
export function parseTags(text: string, variableName = "APPTUIT_TAGS"): Tags {
  const tags: Tags = {};
  const refuse = (pair: string, why: string): never => {
    throw new ApptuitConfigError(`${variableName}: ${JSON.stringify(pair)} ${why}; expected the form "k1: v1, k2: v2"`);
  };
  for (const segment of text.split(",")) {
    const pair = segment.trim();
    if (pair === "") continue;
    const parts = pair.split(":");
    if (parts.length !== 2) refuse(pair, `is not a "key: value" pair`);
    const key = parts[0]!.trim();
    const value = parts[1]!.trim();
    if (key === "" || value === "") refuse(pair, `is not a "key: value" pair`);
    if (!VALID_NAME.test(key)) refuse(pair, "has a tag key with characters other than letters, digits, -, _, . and /");
    setTag(tags, key, value);
  }
  return tags;
}

// apptuit-py's strtobool, plus the empty string as false (Python treats an empty variable as unset).
const TRUE = new Set(["1", "true", "yes", "on", "y", "t"]);
const FALSE = new Set(["", "0", "false", "no", "off", "n", "f"]);

/** Reads a boolean variable: unset/empty → `fallback`; y/yes/t/true/on/1 or n/no/f/false/off/0 (any case). */
export function parseBooleanEnv(env: Env | undefined, name: string, fallback = false): boolean {
  const raw = env?.[name];
  if (raw === undefined) return fallback;
  const text = raw.trim().toLowerCase();
  if (text === "") return fallback;
  if (TRUE.has(text)) return true;
  if (FALSE.has(text)) return false;
  throw new ApptuitConfigError(
    `${name}: ${JSON.stringify(raw)} is not a boolean; expected one of 1/0, true/false, yes/no, on/off, y/n, t/f`,
  );
}

/** `APPTUIT_DISABLE_HOST_TAG`: whether reporters should leave out the automatic `host` tag. */
export function readDisableHostTag(env: Env | undefined): boolean {
  return parseBooleanEnv(env, "APPTUIT_DISABLE_HOST_TAG");
}
