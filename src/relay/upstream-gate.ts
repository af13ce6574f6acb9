import { RelayError } from "./errors/relay-error";

/**
 * Caps the upstream writes in flight. Past the cap a request is refused at once (503 with
 * `Retry-After`) instead of queuing: a slow upstream must not pile up memory and sockets.
 */
export class UpstreamGate {
  private inFlight = 0;

  constructor(private readonly max: number) {}

  /** Runs `write` if a slot is free; throws the 503 otherwise. */
  run<T>(write: () => Promise<T>): Promise<T> {
    if (this.inFlight >= this.max) {
      throw new RelayError(503, `${this.max} upstream writes already in flight`, { reason: "busy", headers: { "Retry-After": "1" } });
    }
    this.inFlight++;
    let promise: Promise<T>;
    try {
      promise = write();
    } catch (error) {
      this.inFlight--;
      throw error;
    }
    return promise.finally(() => this.inFlight--);
  }
}
