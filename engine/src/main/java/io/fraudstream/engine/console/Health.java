package io.fraudstream.engine.console;

import io.fraudstream.engine.rules.Tier;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;

/**
 * The last two hours by minute: decisions per tier, the time each spent in the engine (features
 * and scoring) as a histogram for p50 and p99, dead letters, and live precision and recall as
 * last sampled in the minute. A ring of fixed arrays, so its
 * memory does not grow with traffic. Not thread-safe: {@link ConsoleView} guards it.
 */
public final class Health {

  static final int MINUTES = 120;
  /** Histogram buckets grow by a quarter each, from 1 us to past 100 s. */
  private static final double GROWTH = 1.25;
  private static final int BUCKETS = 84;

  /** What the page charts: one entry per minute, oldest first; {@code NaN} latency where there were no decisions. */
  public record Series(long[] minutes, long[][] perTier, double[] p50Micros, double[] p99Micros, long[] deadLetters,
                       long deadLettersRead, double[][] live) {}

  /** The live measures sampled each minute, in this order. */
  static final List<String> LIVE = List.of("precisionChallenge", "precisionBlock", "recallChallenge", "recallBlock");

  private final long[] minuteOf = new long[MINUTES];
  private final long[][] tiers = new long[MINUTES][Tier.values().length];
  private final int[][] latency = new int[MINUTES][BUCKETS];
  private final long[] deadLetters = new long[MINUTES];
  private final double[][] live = new double[MINUTES][LIVE.size()];
  private long deadLettersRead;

  public Health() {
    Arrays.fill(minuteOf, Long.MIN_VALUE);
    for (double[] minute : live) {
      Arrays.fill(minute, Double.NaN);
    }
  }

  void decision(Instant decidedAt, Tier tier, double engineMicros) {
    int slot = slot(decidedAt.getEpochSecond() / 60);
    tiers[slot][tier.ordinal()]++;
    latency[slot][bucket(engineMicros)]++;
  }

  void deadLetter(Instant recordTime) {
    deadLettersRead++;
    deadLetters[slot(recordTime.getEpochSecond() / 60)]++;
  }

  /** The minute's slot, cleared when it last held an older minute. */
  private int slot(long minute) {
    int slot = (int) Math.floorMod(minute, (long) MINUTES);
    if (minuteOf[slot] != minute) {
      minuteOf[slot] = minute;
      Arrays.fill(tiers[slot], 0);
      Arrays.fill(latency[slot], 0);
      deadLetters[slot] = 0;
      Arrays.fill(live[slot], Double.NaN);
    }
    return slot;
  }

  /** The live measures as they stand at {@code now}, in {@link #LIVE}'s order; the minute keeps the last sample. */
  void live(Instant now, double... measures) {
    System.arraycopy(measures, 0, live[slot(now.getEpochSecond() / 60)], 0, LIVE.size());
  }

  private static int bucket(double micros) {
    if (!(micros > 1)) {
      return 0;
    }
    return (int) Math.min(BUCKETS - 1, Math.ceil(Math.log(micros) / Math.log(GROWTH)));
  }

  /** A bucket's upper bound, so a percentile is never under-stated by more than a quarter. */
  private static double upperBound(int bucket) {
    return Math.pow(GROWTH, bucket);
  }

  Series series(Instant now) {
    long last = now.getEpochSecond() / 60;
    long[] minutes = new long[MINUTES];
    long[][] perTier = new long[Tier.values().length][MINUTES];
    double[] p50 = new double[MINUTES];
    double[] p99 = new double[MINUTES];
    long[] dead = new long[MINUTES];
    double[][] measures = new double[LIVE.size()][MINUTES];
    for (int i = 0; i < MINUTES; i++) {
      long minute = last - MINUTES + 1 + i;
      minutes[i] = minute * 60;
      int slot = (int) Math.floorMod(minute, (long) MINUTES);
      boolean current = minuteOf[slot] == minute;
      long count = 0;
      for (Tier tier : Tier.values()) {
        perTier[tier.ordinal()][i] = current ? tiers[slot][tier.ordinal()] : 0;
        count += perTier[tier.ordinal()][i];
      }
      dead[i] = current ? deadLetters[slot] : 0;
      for (int m = 0; m < LIVE.size(); m++) {
        measures[m][i] = current ? live[slot][m] : Double.NaN;
      }
      p50[i] = current && count > 0 ? percentile(latency[slot], count, 0.50) : Double.NaN;
      p99[i] = current && count > 0 ? percentile(latency[slot], count, 0.99) : Double.NaN;
    }
    return new Series(minutes, perTier, p50, p99, dead, deadLettersRead, measures);
  }

  private static double percentile(int[] histogram, long count, double quantile) {
    long rank = (long) Math.ceil(quantile * count);
    long seen = 0;
    for (int bucket = 0; bucket < histogram.length; bucket++) {
      seen += histogram[bucket];
      if (seen >= rank) {
        return upperBound(bucket);
      }
    }
    return upperBound(histogram.length - 1);
  }
}
