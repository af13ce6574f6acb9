import type { Tags } from "./types";
import { setTag } from "./tags";
import { ApptuitConfigError } from "./errors/config-error";

/** The environment shape callers pass: Workers `env`, `Deno.env.toObject()`, `process.env`. */
export type Env = Record<string, string | undefined>;

/**
 * Parses `"k1: v1, k2: v2"` (spaces optional) as `APPTUIT_TAGS` is written. Empty segments
 * (a trailing comma) are ignored; the value is everything after the first `:`.
 */
export function parseTags(text: string, variableName = "APPTUIT_TAGS"): Tags {
  const tags: Tags = {};
  for (const segment of text.split(",")) {
    const pair = segment.trim();
    if (pair === "") continue;
    const colon = pair.indexOf(":");
    const key = colon < 0 ? "" : pair.slice(0, colon).trim();
    const value = colon < 0 ? "" : pair.slice(colon + 1).trim();
    if (key === "" || value === "") {
      throw new ApptuitConfigError(
        `${variableName}: ${JSON.stringify(pair)} is not a "key: value" pair; expected the form "k1: v1, k2: v2"`,
      );
    }
    setTag(tags, key, value);
  }
  return tags;
}

const TRUE = new Set(["1", "true", "yes", "on"]);
const FALSE = new Set(["", "0", "false", "no", "off"]);

/** Reads a boolean variable: unset/empty → `fallback`; 1/0, true/false, yes/no, on/off (any case). */
export function parseBooleanEnv(env: Env | undefined, name: string, fallback = false): boolean {
  const raw = env?.[name];
  if (raw === undefined) return fallback;
  const text = raw.trim().toLowerCase();
  if (text === "") return fallback;
  if (TRUE.has(text)) return true;
  if (FALSE.has(text)) return false;
  throw new ApptuitConfigError(
    `${name}: ${JSON.stringify(raw)} is not a boolean; expected one of 1/0, true/false, yes/no, on/off`,
  );
}

/** `APPTUIT_DISABLE_HOST_TAG`: whether reporters should leave out the automatic `host` tag. */
export function readDisableHostTag(env: Env | undefined): boolean {
  return parseBooleanEnv(env, "APPTUIT_DISABLE_HOST_TAG");
}
