package io.fraudstream.models;

import java.util.Arrays;

/**
 * Ranking and threshold metrics for fraud scores against labels. Higher score means more likely
 * fraud.
 */
public final class Evaluation {

  private Evaluation() {}

  /** Area under the ROC curve (Mann-Whitney, ties counted as half); NaN without both classes. */
  public static double auc(double[] scores, boolean[] fraud) {
    Integer[] order = ascending(scores);
    long positives = 0;
    double rankSum = 0;
    int i = 0;
    while (i < order.length) {
      int j = i;
      while (j + 1 < order.length && scores[order[j + 1]] == scores[order[i]]) {
        j++;
      }
      double averageRank = (i + j) / 2.0 + 1;
      for (int k = i; k <= j; k++) {
        if (fraud[order[k]]) {
          positives++;
          rankSum += averageRank;
        }
      }
      i = j + 1;
    }
    long negatives = scores.length - positives;
    if (positives == 0 || negatives == 0) {
      return Double.NaN;
    }
    return (rankSum - positives * (positives + 1) / 2.0) / ((double) positives * negatives);
  }

  /** Average precision: the mean of the precision at the rank of each fraud, best score first. */
  public static double averagePrecision(double[] scores, boolean[] fraud) {
    Integer[] order = ascending(scores);
    long positives = 0;
    for (boolean f : fraud) {
      positives += f ? 1 : 0;
    }
    if (positives == 0) {
      return Double.NaN;
    }
    double sum = 0;
    long seenFraud = 0;
    for (int rank = 1; rank <= order.length; rank++) {
      if (fraud[order[order.length - rank]]) {
        seenFraud++;
        sum += (double) seenFraud / rank;
      }
    }
    return sum / positives;
  }

  /** Confusion counts when payments scoring at or above {@code threshold} are flagged. */
  public static Confusion at(double[] scores, boolean[] fraud, double threshold) {
    long tp = 0;
    long fp = 0;
    long fn = 0;
    long tn = 0;
    for (int i = 0; i < scores.length; i++) {
      boolean flagged = scores[i] >= threshold;
      if (flagged && fraud[i]) {
        tp++;
      } else if (flagged) {
        fp++;
      } else if (fraud[i]) {
        fn++;
      } else {
        tn++;
      }
    }
    return new Confusion(tp, fp, fn, tn);
  }

  /** True/false positives and negatives at one threshold. */
  public record Confusion(long truePositives, long falsePositives, long falseNegatives, long trueNegatives) {
    public double precision() {
      long flagged = truePositives + falsePositives;
      return flagged == 0 ? Double.NaN : (double) truePositives / flagged;
    }

    public double recall() {
      long fraud = truePositives + falseNegatives;
      return fraud == 0 ? Double.NaN : (double) truePositives / fraud;
    }

    public double falsePositiveRate() {
      long legit = falsePositives + trueNegatives;
      return legit == 0 ? Double.NaN : (double) falsePositives / legit;
    }
  }

  private static Integer[] ascending(double[] scores) {
    Integer[] order = new Integer[scores.length];
    Arrays.setAll(order, i -> i);
    Arrays.sort(order, (a, b) -> Double.compare(scores[a], scores[b]));
    return order;
  }
}
