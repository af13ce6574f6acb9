/**
 * A meter's 1/5/15-minute moving rates ticked once per aggregation window (Dropwizard's
 * EWMA with the window as its tick): `rate += alpha · (count / window s − rate)`,
 * alpha = 1 − exp(−window s / 60 s / minutes); the first window sets the rates.
 */
export class WindowRates {
  m1 = 0;
  m5 = 0;
  m15 = 0;
  private started = false;

  constructor(private readonly windowSeconds: number) {}

  /** The rates as plain data (durable storage), and back. */
  toStored(): { m1: number; m5: number; m15: number; started: boolean } {
    return { m1: this.m1, m5: this.m5, m15: this.m15, started: this.started };
  }

  static fromStored(windowSeconds: number, stored: { m1: number; m5: number; m15: number; started: boolean }): WindowRates {
    const rates = new WindowRates(windowSeconds);
    Object.assign(rates, stored);
    return rates;
  }

  tick(count: number): void {
    const instant = count / this.windowSeconds;
    if (!this.started) {
      this.m1 = this.m5 = this.m15 = instant;
      this.started = true;
      return;
    }
    this.m1 = instant + (this.m1 - instant) * Math.exp(-this.windowSeconds / 60);
    this.m5 = instant + (this.m5 - instant) * Math.exp(-this.windowSeconds / 300);
    this.m15 = instant + (this.m15 - instant) * Math.exp(-this.windowSeconds / 900);
  }
}
