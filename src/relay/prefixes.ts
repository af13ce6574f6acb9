import { ApptuitConfigError } from "../core/errors/config-error";
import type { WirePoint } from "../core/wire";
import { RelayError } from "./errors/relay-error";

/**
 * A check that every metric starts with an allowed prefix (403 otherwise), applied to the
 * names as the page sent them. Sanitizing only rewrites characters, so a name that starts
 * with `web.` still starts with the sanitized `web_` afterwards.
 */
export function prefixCheck(prefixes: ReadonlyArray<string> | undefined): (points: ReadonlyArray<WirePoint>) => void {
  if (prefixes === undefined) return () => {};
  if (!Array.isArray(prefixes) || prefixes.length === 0 || prefixes.some((p) => typeof p !== "string" || p === "")) {
    throw new ApptuitConfigError("allowedPrefixes must be a non-empty array of non-empty strings (omit it to allow every metric)");
  }
  const list = [...prefixes];
  return (points) => {
    points.forEach((point, i) => {
      if (!list.some((prefix) => point.metric.startsWith(prefix))) {
        throw new RelayError(403, `metric ${JSON.stringify(point.metric.slice(0, 200))} is not under an allowed prefix`, { path: `[${i}].metric` });
      }
    });
  };
}
