import { ApptuitConfigError } from "../../core/errors/config-error";
import type { PageMode } from "./init";

/**
 * The mode of the direct script tag (dist/apptuit-direct.iife.js): direct mode alone, so
 * that the tag carries nothing of relay mode (its sender, compact writer, point
 * preparation). `relayUrl` is refused, naming the files that take it.
 */
export const directOnly =
  (direct: PageMode): PageMode =>
  (options, ctx) => {
    if (options.relayUrl !== undefined) {
      throw new ApptuitConfigError(
        'relayUrl: apptuit-direct.iife.js sends with endpoint + token only; for a relay load apptuit.iife.js (or use init from "apptuit/browser")',
      );
    }
    return direct(options, ctx);
  };
