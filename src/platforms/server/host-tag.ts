import type { Tags } from "../../core/types";

export interface HostTagInput {
  /** `init({ hostTag })`: true/undefined → the host name, string → that, false → none. */
  option: boolean | string | undefined;
  /** `APPTUIT_DISABLE_HOST_TAG` was set to a true value. */
  disabledByEnv: boolean;
  reporterTags: Tags | undefined;
  globalTags: Tags | undefined;
  hostname: () => string | undefined;
}

/**
 * The reporter's tags with the `host` tag added, as the Python reporter does. An explicit
 * `host` (reporter tags, global tags or `APPTUIT_TAGS`) is never overridden, and the host
 * name is only asked for when it will be used (Deno needs `--allow-sys=hostname` for it).
 */
export function hostTags(input: HostTagInput): Tags | undefined {
  const { option, reporterTags, globalTags } = input;
  if (option === false || (option === undefined && input.disabledByEnv)) return reporterTags;
  if (hasHost(reporterTags) || hasHost(globalTags)) return reporterTags;
  const host = typeof option === "string" ? option : input.hostname();
  if (!host) return reporterTags;
  return { ...reporterTags, host };
}

function hasHost(tags: Tags | undefined): boolean {
  return tags !== undefined && Object.hasOwn(tags, "host");
}
