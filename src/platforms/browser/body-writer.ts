import type { BodyWriter } from "../../core/body-cutter";
import { pageBody } from "./page-writer";
import { utf8Length } from "./quota";

/** Relay mode: the compact format, version 2 (kinds and deltas, for an aggregating relay). */
export const compactBody = pageBody;

/** Direct mode: OpenTSDB JSON rows (`/api/put`), whose bytes simply add up. */
export function jsonBody(): BodyWriter {
  const rows: string[] = [];
  let bytes = 2; // "[" "]"
  return {
    get count() {
      return rows.length;
    },
    get bytes() {
      return bytes;
    },
    tryAdd(point, maxBytes) {
      const row = JSON.stringify(point);
      const size = utf8Length(row) + (rows.length > 0 ? 1 : 0);
      if (bytes + size > maxBytes) return false;
      rows.push(row);
      bytes += size;
      return true;
    },
    finish: () => `[${rows.join(",")}]`,
  };
}
