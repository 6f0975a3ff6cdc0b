package io.fraudstream.models;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * What a bundle remembers of the data it was trained on, to tell when live data has moved away
 * from it: for every feature a histogram of the training rows, for the score a histogram of the
 * held-out window's scores, and that window's fraud rate per score decile.
 *
 * <p>Drift is the population stability index (PSI) of a histogram of live values against the
 * reference one: the sum over bins of {@code (live - reference) * ln(live / reference)}. It is the
 * measure credit-risk teams have long used for exactly this, costs one bin lookup per value, is
 * symmetric, and reads on a known scale: under 0.1 stable, 0.1 to 0.25 moving, over 0.25 a shift
 * to act on.
 *
 * @param features one histogram per feature, in the bundle's feature order
 * @param score the held-out window's scores
 * @param calibration the held-out window's payments in ten score deciles, lowest first
 */
public record DriftReference(List<Histogram> features, Histogram score, List<Decile> calibration) {

  /** Cut points of at most this many bins, placed at quantiles of the reference values. */
  public static final int BINS = 10;
  /** A bin's share is floored at this in the index, so that an empty bin does not make it infinite. */
  private static final double FLOOR = 1e-4;

  public DriftReference {
    features = List.copyOf(features);
    calibration = List.copyOf(calibration);
  }

  /**
   * Bins by {@code cuts} (ascending): bin 0 holds values at or below {@code cuts[0]}, the last bin
   * values above the last cut; NaN counts in the last bin.
   */
  public record Histogram(double[] cuts, double[] shares) {

    public int bins() {
      return cuts.length + 1;
    }

    public int binOf(double value) {
      int low = 0;
      int high = cuts.length;
      while (low < high) {
        int mid = (low + high) >>> 1;
        if (value <= cuts[mid]) {
          high = mid;
        } else {
          low = mid + 1;
        }
      }
      return low;
    }

    /** The histogram of {@code values} with cuts at their quantiles, equal cuts merged. */
    public static Histogram of(double[] values) {
      double[] sorted = Arrays.stream(values).filter(Double::isFinite).sorted().toArray();
      List<Double> cuts = new ArrayList<>();
      for (int q = 1; q < BINS && sorted.length > 0; q++) {
        double cut = sorted[Math.min(sorted.length - 1, (int) ((long) q * sorted.length / BINS))];
        if (cuts.isEmpty() || cut > cuts.get(cuts.size() - 1)) {
          cuts.add(cut);
        }
      }
      // Values below every quantile cut but the lowest (an indicator's zeros) still need their own bin.
      if (sorted.length > 0 && (cuts.isEmpty() || sorted[0] < cuts.get(0))) {
        cuts.add(0, sorted[0]);
      }
      Histogram empty = new Histogram(cuts.stream().mapToDouble(Double::doubleValue).toArray(), new double[0]);
      long[] counts = new long[empty.bins()];
      for (double value : values) {
        counts[empty.binOf(value)]++;
      }
      return new Histogram(empty.cuts(), shares(counts));
    }

    /** The population stability index of {@code counts} (one per bin, as {@link #binOf} places them) against this. */
    public double psi(long[] counts) {
      double[] live = shares(counts);
      double index = 0;
      for (int i = 0; i < live.length; i++) {
        double a = Math.max(live[i], FLOOR);
        double e = Math.max(i < shares.length ? shares[i] : 0, FLOOR);
        index += (a - e) * Math.log(a / e);
      }
      return index;
    }

    static double[] shares(long[] counts) {
      long total = Arrays.stream(counts).sum();
      double[] shares = new double[counts.length];
      for (int i = 0; i < counts.length; i++) {
        shares[i] = total == 0 ? 0 : (double) counts[i] / total;
      }
      return shares;
    }
  }

  /** The held-out payments whose score was in {@code [from, to]}, and how many of them were fraud. */
  public record Decile(double from, double to, long payments, long frauds) {

    public double fraudRate() {
      return payments == 0 ? Double.NaN : (double) frauds / payments;
    }
  }

  /** Ten deciles of {@code scores}, lowest first, with the frauds in each. */
  public static List<Decile> deciles(double[] scores, boolean[] fraud) {
    Integer[] order = new Integer[scores.length];
    for (int i = 0; i < order.length; i++) {
      order[i] = i;
    }
    Arrays.sort(order, (a, b) -> Double.compare(scores[a], scores[b]));
    List<Decile> deciles = new ArrayList<>();
    for (int d = 0; d < BINS && scores.length > 0; d++) {
      int from = (int) ((long) d * scores.length / BINS);
      int to = (int) ((long) (d + 1) * scores.length / BINS);
      long frauds = 0;
      for (int i = from; i < to; i++) {
        frauds += fraud[order[i]] ? 1 : 0;
      }
      if (to > from) {
        deciles.add(new Decile(scores[order[from]], scores[order[to - 1]], to - from, frauds));
      }
    }
    return deciles;
  }

  /** The decile a live score falls in: the first whose upper end is at or above it, the last otherwise. */
  public int decileOf(double score) {
    for (int i = 0; i < calibration.size(); i++) {
      if (score <= calibration.get(i).to()) {
        return i;
      }
    }
    return calibration.size() - 1;
  }
}
