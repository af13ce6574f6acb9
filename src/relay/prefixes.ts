import { ApptuitConfigError } from "../core/errors/config-error";
import type { WirePoint } from "../core/wire";
import { RelayError } from "./errors/relay-error";

/**
 * A check that every metric starts with an allowed prefix (403 otherwise), applied to the
 * names as they will be written: both sides sanitized, so that no spelling a page chooses
 * (`web-x` vs `web_x`) gets a name past it that the check would have refused.
 */
export function prefixCheck(
  prefixes: ReadonlyArray<string> | undefined,
  sanitize: (name: string) => string = (name) => name,
): (points: ReadonlyArray<Pick<WirePoint, "metric">>) => void {
  if (prefixes === undefined) return () => {};
  if (!Array.isArray(prefixes) || prefixes.length === 0 || prefixes.some((p) => typeof p !== "string" || p === "")) {
    throw new ApptuitConfigError("allowedPrefixes must be a non-empty array of non-empty strings (omit it to allow every metric)");
  }
  const list = prefixes.map(sanitize);
  return (points) => {
    points.forEach((point, i) => {
      const name = sanitize(point.metric);
      if (!list.some((prefix) => name.startsWith(prefix))) {
        throw new RelayError(403, `metric ${JSON.stringify(point.metric.slice(0, 200))} is not under an allowed prefix`, {
          path: `[${i}].metric`,
        });
      }
    });
  };
}
