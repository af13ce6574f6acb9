import { RecordingHistogram } from "./recording-histogram";
import { HistogramSnapshot } from "./snapshot";

/**
 * Distribution of values: count, sum, min, max, mean and standard deviation exactly,
 * quantiles within 0.8 % (a log-bucket sketch, not a sampled reservoir). `update` does a
 * logarithm and a few additions, and allocates nothing.
 */
export class Histogram extends RecordingHistogram {
  /** Everything recorded so far. */
  snapshot(): HistogramSnapshot {
    return new HistogramSnapshot(this.cumulative());
  }
}
