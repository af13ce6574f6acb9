import { ApptuitClient } from "../../core/client-base";
import { fetchHttp } from "../../core/fetch-http";
import type { ApptuitOptions } from "../../core/options";

/**
 * `Apptuit` of the direct-mode script tag (dist/apptuit-direct.iife.js, as `Apptuit.Apptuit`):
 * the same client — `send`, `query`, `promQuery`, `toTable` on its results — on `fetch`
 * alone instead of ky, with the same timeouts and retries (docs/browser-page-size.md). A
 * page has no environment: `env` is not read (give `token` and `endpoint`).
 */
export class PageClient extends ApptuitClient {
  constructor(options: Omit<ApptuitOptions, "env"> = {}) {
    super(options, fetchHttp);
  }
}
