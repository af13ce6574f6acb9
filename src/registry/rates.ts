/** Dropwizard's tick: the moving averages advance in steps of 5 s. */
export const TICK_MS = 5_000;
const TICK_S = TICK_MS / 1000;

/** Per-tick decay `1 - alpha` of an EWMA over `minutes`, alpha = 1 - exp(-5 s / 60 s / minutes). */
const decay = (minutes: number): number => Math.exp(-TICK_S / 60 / minutes);
const D1 = decay(1);
const D5 = decay(5);
const D15 = decay(15);

/**
 * Mean rate and 1/5/15-minute exponentially weighted moving rates (events per second),
 * with Dropwizard's formulas: each 5 s tick, `rate += alpha * (count / 5 s - rate)`, the
 * first tick setting `rate = count / 5 s`.
 *
 * There is no timer and `mark` never reads the clock (a clock read costs ~40 ns, the
 * mark budget is 2 ns): the ticks that elapsed are caught up when a rate is read or the
 * registry collected, in O(1) whatever the gap (`rate = inst + (rate - inst) *
 * (1 - alpha)^ticks`). Events marked since the previous tick are spread evenly over the
 * ticks that elapsed. This is exactly Dropwizard when the meter is read at least once
 * per 5 s, or when no event fell in the current, unfinished 5 s interval; otherwise
 * those events count in the ticks that just elapsed (Dropwizard would count them at the
 * next tick), and a burst within a longer gap is spread over the gap. Counts and the
 * mean rate are always exact.
 */
export class Rates {
  m1 = 0;
  m5 = 0;
  m15 = 0;
  private initialized = false;
  private lastTick: number;
  private countAtLastTick = 0;
  readonly start: number;

  constructor(readonly now: () => number) {
    this.start = now();
    this.lastTick = this.start;
  }

  /** Advances the averages to `now` given the total event count so far. */
  tick(now: number, count: number): void {
    const age = now - this.lastTick;
    // Dropwizard ticks only when strictly more than one interval has passed.
    if (!(age > TICK_MS)) return;
    const ticks = Math.floor(age / TICK_MS);
    this.lastTick = now - (age % TICK_MS);
    const instant = (count - this.countAtLastTick) / ticks / TICK_S;
    this.countAtLastTick = count;
    if (this.initialized) {
      this.m1 = instant + (this.m1 - instant) * D1 ** ticks;
      this.m5 = instant + (this.m5 - instant) * D5 ** ticks;
      this.m15 = instant + (this.m15 - instant) * D15 ** ticks;
    } else {
      this.m1 = this.m5 = this.m15 = instant;
      this.initialized = true;
    }
  }

  /** Events per second since creation; 0 before the first event, as Dropwizard. */
  mean(now: number, count: number): number {
    const elapsed = now - this.start;
    return count === 0 || elapsed <= 0 ? 0 : (count * 1000) / elapsed;
  }
}

/** The rate readings of a meter, and of a timer's meter part (events per second). */
export interface RateReadings {
  /** Events per second since the metric was created. */
  meanRate(): number;
  /** The 1-minute exponentially weighted moving rate. */
  oneMinuteRate(): number;
  /** The 5-minute exponentially weighted moving rate. */
  fiveMinuteRate(): number;
  /** The 15-minute exponentially weighted moving rate. */
  fifteenMinuteRate(): number;
  /** @internal catches the moving averages up to `now`. */
  tick(now?: number): void;
}

/** What the readings read on the metric they are installed on: its rates and event count. */
interface Rated extends RateReadings {
  readonly rates: Rates;
  readonly count: number;
}

const readings: RateReadings & ThisType<Rated> = {
  meanRate() {
    return this.rates.mean(this.rates.now(), this.count);
  },
  oneMinuteRate() {
    this.tick();
    return this.rates.m1;
  },
  fiveMinuteRate() {
    this.tick();
    return this.rates.m5;
  },
  fifteenMinuteRate() {
    this.tick();
    return this.rates.m15;
  },
  tick(now?: number) {
    this.rates.tick(now ?? this.rates.now(), this.count);
  },
};

/**
 * Installs the rate readings on a class's prototype, as its own methods would be (not
 * enumerable): defined once for meters and timers, at no cost to their updates.
 */
export function addRateReadings(cls: { prototype: Rated }): void {
  for (const [key, value] of Object.entries(readings)) {
    Object.defineProperty(cls.prototype, key, { value, writable: true, configurable: true, enumerable: false });
  }
}
