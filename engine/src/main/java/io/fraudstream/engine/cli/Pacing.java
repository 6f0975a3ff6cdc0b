package io.fraudstream.engine.cli;

import java.util.concurrent.TimeUnit;

/**
 * Helpers for feeding payments at a steady rate and summarising the latencies seen, shared by
 * the demo and the benchmarks.
 */
public final class Pacing {

  private Pacing() {}

  /**
   * Sleeps until the {@code index}-th send is due when sending {@code ratePerSecond} from
   * {@code startNanos}; a rate of 0 means as fast as possible.
   */
  public static void awaitTurn(long startNanos, long index, int ratePerSecond) {
    awaitElapsed(startNanos, dueAfterNanos(index, ratePerSecond));
  }

  /** How long after the start the {@code index}-th send is due at {@code ratePerSecond}; 0 at a rate of 0. */
  static long dueAfterNanos(long index, int ratePerSecond) {
    return ratePerSecond <= 0 ? 0 : (long) (index * 1e9 / ratePerSecond);
  }

  /** Sleeps until {@code elapsedNanos} after {@code startNanos}. */
  public static void awaitElapsed(long startNanos, long elapsedNanos) {
    long wait = startNanos + elapsedNanos - System.nanoTime();
    if (wait > 0) {
      try {
        TimeUnit.NANOSECONDS.sleep(wait);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while pacing", e);
      }
    }
  }

  /** The nearest-rank {@code quantile} of ascending {@code sorted} values; NaN when empty. */
  public static double percentile(long[] sorted, double quantile) {
    if (sorted.length == 0) {
      return Double.NaN;
    }
    int index = (int) Math.ceil(quantile * sorted.length) - 1;
    return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
  }
}
