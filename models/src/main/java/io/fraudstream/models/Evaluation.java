package io.fraudstream.models;

import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

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

  /**
   * Recall at a false-positive budget: the share of frauds caught by the lowest threshold that
   * flags at most {@code falsePositiveRate} of legitimate payments. NaN without both classes.
   */
  public static double recallAtFalsePositiveRate(double[] scores, boolean[] fraud, double falsePositiveRate) {
    Integer[] order = ascending(scores);
    long positives = 0;
    for (boolean f : fraud) {
      positives += f ? 1 : 0;
    }
    long negatives = scores.length - positives;
    if (positives == 0 || negatives == 0) {
      return Double.NaN;
    }
    long allowed = (long) Math.floor(falsePositiveRate * negatives);
    long caught = 0;
    long falsePositives = 0;
    int rank = order.length - 1;
    // Whole groups of tied scores at once: a threshold cannot split them.
    while (rank >= 0) {
      int groupEnd = rank;
      long groupFraud = 0;
      long groupLegit = 0;
      while (groupEnd >= 0 && scores[order[groupEnd]] == scores[order[rank]]) {
        if (fraud[order[groupEnd]]) {
          groupFraud++;
        } else {
          groupLegit++;
        }
        groupEnd--;
      }
      if (falsePositives + groupLegit > allowed) {
        break;
      }
      caught += groupFraud;
      falsePositives += groupLegit;
      rank = groupEnd;
    }
    return (double) caught / positives;
  }

  /**
   * Card precision@k, as the fraud-detection handbook computes it: per day, each user (card)
   * scores their highest score of the day and counts as fraud if any of their payments that day
   * was; of the {@code k} best-scored users, the share that were fraud; averaged over the days.
   * Users found fraudulent on an earlier day are left out of later days, as an investigator
   * would already have blocked their card. Days are UTC calendar days.
   */
  public static double cardPrecisionAtK(List<io.fraudstream.features.Transaction> payments, double[] scores, int k) {
    TreeMap<Long, Map<String, double[]>> days = new TreeMap<>();
    for (int i = 0; i < scores.length; i++) {
      io.fraudstream.features.Transaction tx = payments.get(i);
      long day = Math.floorDiv(tx.timestamp().toEpochMilli(), 86_400_000L);
      double[] card = days.computeIfAbsent(day, d -> new HashMap<>())
          .computeIfAbsent(tx.user(), u -> new double[] {Double.NEGATIVE_INFINITY, 0});
      card[0] = Math.max(card[0], scores[i]);
      card[1] = Math.max(card[1], Boolean.TRUE.equals(tx.label()) ? 1 : 0);
    }
    Set<String> detected = new HashSet<>();
    double sum = 0;
    for (Map<String, double[]> cards : days.values()) {
      List<Map.Entry<String, double[]>> ranked = cards.entrySet().stream()
          .filter(card -> !detected.contains(card.getKey()))
          .sorted((a, b) -> Double.compare(b.getValue()[0], a.getValue()[0]))
          .limit(k).toList();
      long frauds = 0;
      for (Map.Entry<String, double[]> card : ranked) {
        if (card.getValue()[1] > 0) {
          frauds++;
          detected.add(card.getKey());
        }
      }
      sum += (double) frauds / k;
    }
    return days.isEmpty() ? Double.NaN : sum / days.size();
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

  /**
   * What a risk team looks at for one model on one test window: ranking quality, what an
   * analyst queue of 100 cards a day would find, recall at a 1 % false-positive budget, and the
   * confusion counts of the two tiers at the bundle's thresholds.
   */
  public record Metrics(long payments, long frauds, double aucRoc, double averagePrecision, double cardPrecisionAt100,
                        double recallAt1PercentFpr, Confusion challenge, Confusion block) {

    /** Measures {@code scores} of {@code rows} (in the same order) at {@code thresholds}. */
    public static Metrics of(List<FeatureRow> rows, double[] scores, Thresholds thresholds) {
      boolean[] fraud = new boolean[rows.size()];
      long frauds = 0;
      for (int i = 0; i < fraud.length; i++) {
        fraud[i] = rows.get(i).fraud();
        frauds += fraud[i] ? 1 : 0;
      }
      return new Metrics(rows.size(), frauds, auc(scores, fraud), Evaluation.averagePrecision(scores, fraud),
          cardPrecisionAtK(rows.stream().map(FeatureRow::transaction).toList(), scores, 100),
          recallAtFalsePositiveRate(scores, fraud, 0.01), at(scores, fraud, thresholds.challenge()), at(scores, fraud, thresholds.block()));
    }
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

  /** Indices of the scores, lowest score first. */
  static Integer[] ascending(double[] scores) {
    Integer[] order = new Integer[scores.length];
    Arrays.setAll(order, i -> i);
    Arrays.sort(order, (a, b) -> Double.compare(scores[a], scores[b]));
    return order;
  }
}
