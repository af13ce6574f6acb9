/** A Prometheus API error: answered as `{"status":"error","errorType":…,"error":…}`. */
export class PromError extends Error {
  override name = "PromError";
  constructor(
    message: string,
    readonly errorType = "bad_data",
    readonly status = 400,
  ) {
    super(message);
  }
}
