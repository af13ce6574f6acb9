export { ApptuitError } from "./apptuit-error";
export { ApptuitConfigError } from "./config-error";
export { ApptuitValidationError, type ValidationErrorDetails } from "./validation-error";
export { ApptuitSendError, type SendErrorDetail } from "./send-error";
export { ApptuitHttpError, type HttpErrorDetails } from "./http-error";
export { ApptuitAuthError } from "./auth-error";
export { ApptuitNetworkError } from "./network-error";
export { ApptuitAbortError } from "./abort-error";
export { ApptuitResponseError, type ResponseIssue } from "./response-error";
