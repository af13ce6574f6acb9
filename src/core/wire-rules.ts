/**
 * The rules of the wire, in one place (docs/wire-format.md): what a point may look like, how a
 * timestamp's unit is told, how many points a request carries, and which answers are final.
 * Core, registry, relay, backend and platforms import these; the architecture test refuses a
 * second declaration anywhere else.
 */

/**
 * Longest metric name, tag key or tag value, in UTF-16 code units. The write API states no
 * limit; an unbounded name is almost always a bug (a URL or a stack trace used as a tag),
 * and the relay refuses longer strings too.
 */
export const MAX_NAME_LENGTH = 1_024;

/** At most this many tags per point after merging. */
export const MAX_TAGS = 25;

/** The write API takes at most this many points in one request. */
export const MAX_POINTS_PER_REQUEST = 50_000;

/** A metric name or tag key: Unicode letters and digits plus `- _ . /`, as Apptuit and OpenTSDB allow. */
export const VALID_NAME = /^[\p{L}\p{N}\-_./]+$/u;

/** Keys that must never become properties of an object we build (prototype pollution). */
export const FORBIDDEN_KEYS: ReadonlySet<string> = new Set(["__proto__", "constructor", "prototype"]);

/** OpenTSDB's rule: a wire timestamp at or above 2^32 is in milliseconds, below it in seconds. */
export const MS_MIN = 2 ** 32;

/** Largest wire timestamp: 13 digits of milliseconds. */
export const MAX_WIRE_MS = 9_999_999_999_999;

/** A "seconds" timestamp handed to the SDK above this is year 5138: it is milliseconds by mistake. */
export const MAX_INPUT_SECONDS = 1e11;

/** Wire timestamp (seconds below `MS_MIN`, milliseconds from it) → milliseconds. */
export function wireToMs(timestamp: number): number {
  return timestamp >= MS_MIN ? timestamp : timestamp * 1000;
}

/**
 * Statuses worth asking again later: none (network, timeout), 408, 429 and 5xx. A redirect
 * or any other 4xx is an answer: sending the same points again cannot change it.
 */
export function isRetryableStatus(status: number | undefined): boolean {
  return status === undefined || status === 408 || status === 429 || status >= 500;
}
