package io.fraudstream.models;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The value ranges of one feature that a linear model weighs apart, as a scorecard does. A
 * logistic regression gives each feature one slope, so it cannot say "amounts over 220 are
 * fraud, amounts just under are not"; with one weight per range on top of the slope it can.
 * The cuts are learnt from the training labels (splits that most lower the Gini impurity, as a
 * one-feature decision tree would choose them), so ranges fall where fraud changes, not at
 * quantiles.
 *
 * @param cuts ascending; a value belongs to the range of the number of cuts below it, so
 *     {@code cuts.length + 1} ranges, the last open above
 * @param shares the share of training payments in each range, used to centre the ranges'
 *     weights so that a payment's reasons weigh its range against the average payment's
 */
public record FeatureBins(double[] cuts, double[] shares) {

  /** A range learns a weight of its own, so it needs enough payments to learn it from. */
  static final int MIN_ROWS_PER_BIN = 50;
  /** A split must lower the impurity by this share of the whole's, or it fits noise. */
  private static final double MIN_GAIN_SHARE = 1e-3;

  public FeatureBins {
    if (cuts == null || shares == null || shares.length != cuts.length + 1) {
      throw new IllegalArgumentException("bins need one share more than cuts");
    }
    if (shares.length > TrainerSpec.MAX_BINS) {
      throw new IllegalArgumentException("a feature has at most " + TrainerSpec.MAX_BINS + " value ranges, got " + shares.length);
    }
    for (double share : shares) {
      // A share that is not a number would make every score one, and every payment ALLOW.
      if (!(share >= 0 && share <= 1)) {
        throw new IllegalArgumentException("bin shares must be within [0, 1], got " + Arrays.toString(shares));
      }
    }
    for (int i = 0; i < cuts.length; i++) {
      if (!Double.isFinite(cuts[i]) || (i > 0 && !(cuts[i] > cuts[i - 1]))) {
        throw new IllegalArgumentException("bin cuts must be finite and ascending, got " + Arrays.toString(cuts));
      }
    }
  }

  /** One range holding every value: the feature is weighed by its slope alone. */
  static FeatureBins none() {
    return new FeatureBins(new double[0], new double[] {1});
  }

  /** How many ranges. */
  public int count() {
    return shares.length;
  }

  /** The range of {@code value}: how many cuts lie below it. */
  public int binOf(double value) {
    int bin = 0;
    while (bin < cuts.length && value > cuts[bin]) {
      bin++;
    }
    return bin;
  }

  /** The name of one range's indicator in the Tribuo model: the feature's name, then {@code #} and the range. */
  static String indicatorName(String feature, int bin) {
    return feature + "#" + bin;
  }

  /** One range in words, e.g. {@code 57.2 < amount <= 220.4}. */
  public String describe(String feature, int bin) {
    String above = bin > 0 ? format(cuts[bin - 1]) + " < " : "";
    String below = bin < cuts.length ? " <= " + format(cuts[bin]) : "";
    return above + feature + below;
  }

  private static String format(double value) {
    return String.format(Locale.ROOT, "%.4g", value);
  }

  /**
   * Learns at most {@code maxBins} ranges of one feature from its training values: the split
   * that lowers the fraud-weighted Gini impurity most is taken first, then the best split of any
   * range made so far, while each side keeps {@value #MIN_ROWS_PER_BIN} payments and the split
   * gains enough.
   */
  static FeatureBins learn(double[] values, boolean[] fraud, double fraudWeight, int maxBins) {
    int frauds = 0;
    for (boolean isFraud : fraud) {
      frauds += isFraud ? 1 : 0;
    }
    double[] fraudValues = new double[frauds];
    double[] legitValues = new double[values.length - frauds];
    for (int row = 0, f = 0, l = 0; row < values.length; row++) {
      if (fraud[row]) {
        fraudValues[f++] = values[row];
      } else {
        legitValues[l++] = values[row];
      }
    }
    Arrays.sort(fraudValues);
    Arrays.sort(legitValues);
    // The distinct values in order, with how many frauds and legitimate payments have each.
    int distinct = 0;
    double[] value = new double[values.length];
    int[] fraudCount = new int[values.length];
    int[] legitCount = new int[values.length];
    for (int f = 0, l = 0; f < fraudValues.length || l < legitValues.length; ) {
      double next = l == legitValues.length || (f < fraudValues.length && fraudValues[f] < legitValues[l]) ? fraudValues[f] : legitValues[l];
      if (distinct == 0 || value[distinct - 1] != next) {
        value[distinct++] = next;
      }
      while (f < fraudValues.length && fraudValues[f] == next) {
        fraudCount[distinct - 1]++;
        f++;
      }
      while (l < legitValues.length && legitValues[l] == next) {
        legitCount[distinct - 1]++;
        l++;
      }
    }
    Groups groups = new Groups(value, fraudCount, legitCount, distinct, fraudWeight);
    List<Range> ranges = new ArrayList<>(List.of(groups.range(0, distinct)));
    double minGain = MIN_GAIN_SHARE * groups.impurity(0, distinct);
    while (ranges.size() < maxBins) {
      int best = -1;
      for (int r = 0; r < ranges.size(); r++) {
        if (ranges.get(r).gain() > minGain && (best < 0 || ranges.get(r).gain() > ranges.get(best).gain())) {
          best = r;
        }
      }
      if (best < 0) {
        break;
      }
      Range split = ranges.remove(best);
      ranges.add(best, groups.range(split.splitAt(), split.to()));
      ranges.add(best, groups.range(split.from(), split.splitAt()));
    }
    double[] cuts = new double[ranges.size() - 1];
    double[] shares = new double[ranges.size()];
    for (int r = 0; r < ranges.size(); r++) {
      Range range = ranges.get(r);
      if (r > 0) {
        // Halfway between the values either side, so that a value seen in training keeps its range.
        cuts[r - 1] = value[range.from() - 1] + (value[range.from()] - value[range.from() - 1]) / 2;
      }
      shares[r] = groups.rows(range.from(), range.to()) / (double) values.length;
    }
    return new FeatureBins(cuts, shares);
  }

  /**
   * The groups {@code [from, to)} of distinct values, the group where their best split begins
   * its upper side (-1 if none leaves both sides enough rows) and how much that split lowers the
   * impurity.
   */
  private record Range(int from, int to, int splitAt, double gain) {}

  /** Distinct values with prefix sums of their frauds and legitimate payments. */
  private static final class Groups {
    private final long[] fraudsBefore;
    private final long[] legitBefore;
    private final double fraudWeight;

    Groups(double[] value, int[] fraudCount, int[] legitCount, int distinct, double fraudWeight) {
      this.fraudWeight = fraudWeight;
      fraudsBefore = new long[distinct + 1];
      legitBefore = new long[distinct + 1];
      for (int i = 0; i < distinct; i++) {
        fraudsBefore[i + 1] = fraudsBefore[i] + fraudCount[i];
        legitBefore[i + 1] = legitBefore[i] + legitCount[i];
      }
    }

    long rows(int from, int to) {
      return fraudsBefore[to] - fraudsBefore[from] + legitBefore[to] - legitBefore[from];
    }

    /** Fraud-weighted Gini impurity of the groups {@code [from, to)}, times their weight. */
    double impurity(int from, int to) {
      double fraudMass = (fraudsBefore[to] - fraudsBefore[from]) * fraudWeight;
      double legitMass = legitBefore[to] - legitBefore[from];
      double mass = fraudMass + legitMass;
      return mass == 0 ? 0 : 2 * fraudMass * legitMass / mass;
    }

    /** The range of groups {@code [from, to)}, with its best split found once. */
    Range range(int from, int to) {
      int at = bestSplit(from, to);
      return new Range(from, to, at, at < 0 ? 0 : impurity(from, to) - impurity(from, at) - impurity(at, to));
    }

    private int bestSplit(int from, int to) {
      int best = -1;
      double lowest = Double.POSITIVE_INFINITY;
      for (int at = from + 1; at < to; at++) {
        if (rows(from, at) < MIN_ROWS_PER_BIN || rows(at, to) < MIN_ROWS_PER_BIN) {
          continue;
        }
        double impurity = impurity(from, at) + impurity(at, to);
        if (impurity < lowest) {
          lowest = impurity;
          best = at;
        }
      }
      return best;
    }
  }
}
