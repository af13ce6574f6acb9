/**
 * Longest metric name, tag key or tag value, in UTF-16 code units. The write API states no
 * limit; an unbounded name is almost always a bug (a URL or a stack trace used as a tag),
 * and the relay refuses longer strings too.
 */
export const MAX_NAME_LENGTH = 1_024;

/** At most this many tags per point after merging (docs/wire-format.md). */
export const MAX_TAGS = 25;
