import { ApptuitHttpError } from "./http-error";

/** 401/403: the token is missing, wrong or lacks permission. Never retried. */
export class ApptuitAuthError extends ApptuitHttpError {
  override name = "ApptuitAuthError";
}
