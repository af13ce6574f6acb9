import { ApptuitError } from "../../core/errors/apptuit-error";

/**
 * A compact payload that cannot be encoded or decoded. `path` points at the offending
 * part (`s[3][1]`, `p[0][4]`, `[12].value` for an input point) when there is one.
 * `tooLarge` is set when a bound was hit rather than a rule broken (the relay answers 413).
 */
export class CompactFormatError extends ApptuitError {
  override name = "CompactFormatError";
  readonly path: string | undefined;
  readonly tooLarge: boolean;

  constructor(message: string, path?: string, options?: { tooLarge?: boolean }) {
    super(path === undefined ? message : `${message} (at ${path})`);
    this.path = path;
    this.tooLarge = options?.tooLarge ?? false;
  }
}
