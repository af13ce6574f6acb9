import { mergeTags, setTag } from "../core/tags";
import type { Tags } from "../core/types";

/**
 * The tags a page's point is written with: the page's keys sanitized first, then every
 * key equal to a server tag key dropped — whether the server has a value for it on this
 * request or not — then the server's tags added. Sanitizing after merging would let
 * `client.ip` from a page become `client_ip` and overwrite the server's.
 */
export function pageTags(page: Tags, server: Tags, serverKeys: ReadonlySet<string>, sanitize: (name: string) => string): Tags {
  const out: Tags = {};
  for (const [key, value] of Object.entries(page)) {
    const clean = sanitize(key);
    if (!serverKeys.has(clean)) setTag(out, clean, value);
  }
  return mergeTags(out, server);
}
