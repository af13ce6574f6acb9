import { ApptuitConfigError } from "../../core/errors/config-error";
import type { PageMode } from "./init";
import { relayMode } from "./relay-mode";

/** The mode of the entries that have both: relay mode with `relayUrl`, `direct` with `endpoint` + `token`. */
export const eitherMode =
  (direct: PageMode): PageMode =>
  (options, ctx) => {
    const { relayUrl, token } = options;
    if (relayUrl !== undefined && token !== undefined) {
      throw new ApptuitConfigError("give either relayUrl (the token stays on the server) or endpoint + token, not both");
    }
    if (relayUrl === undefined && token === undefined) {
      throw new ApptuitConfigError('init() needs relayUrl (recommended, e.g. "/apptuit") or endpoint + token');
    }
    return (relayUrl === undefined ? direct : relayMode)(options, ctx);
  };
