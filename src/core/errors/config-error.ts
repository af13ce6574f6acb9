import { ApptuitError } from "./apptuit-error";

/** Bad client options or environment: missing token, malformed `APPTUIT_TAGS`, bad endpoint… */
export class ApptuitConfigError extends ApptuitError {
  override name = "ApptuitConfigError";
}
