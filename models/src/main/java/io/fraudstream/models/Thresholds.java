package io.fraudstream.models;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.IntStream;

/**
 * The two score thresholds of the decision tiers: at or above {@code challenge} a payment needs
 * step-up verification, at or above {@code block} it is refused.
 */
public record Thresholds(double challenge, double block) {

  public Thresholds {
    if (!(challenge >= 0 && challenge <= 1 && block >= 0 && block <= 1)) {
      throw new IllegalArgumentException("thresholds must be within [0, 1], got challenge=" + challenge + " block=" + block);
    }
    if (block < challenge) {
      throw new IllegalArgumentException("the block threshold (" + block + ") must not be below the challenge threshold (" + challenge + ")");
    }
  }

  /**
   * Tunes thresholds on held-out scored payments: CHALLENGE flags at most {@code challengeFpr}
   * of legitimate payments; BLOCK is the lowest threshold at or above it whose precision reaches
   * {@code blockPrecision} on at least {@code minBlocked} payments, or, when none does, the score
   * that only one legitimate payment in ten thousand reaches.
   */
  public static Thresholds tune(double[] scores, boolean[] fraud, double challengeFpr, double blockPrecision, int minBlocked) {
    double[] legit = legitimateScores(scores, fraud);
    return withBlock(scores, fraud, quantileAbove(legit, challengeFpr), legit, blockPrecision, minBlocked);
  }

  /**
   * Tunes thresholds to analysts' capacity: CHALLENGE flags at most {@code reviewsPerDay}
   * payments on every day of the held-out payments (the busiest day sets it, so no day exceeds
   * the capacity); BLOCK as in {@link #tune}.
   *
   * @param days the day of each payment (any whole-day number, such as days since the epoch)
   */
  public static Thresholds tuneForCapacity(double[] scores, boolean[] fraud, long[] days, double reviewsPerDay,
      double blockPrecision, int minBlocked) {
    if (!(reviewsPerDay > 0)) {
      throw new IllegalArgumentException("reviews per day must be positive, got " + reviewsPerDay);
    }
    if (days.length != scores.length) {
      throw new IllegalArgumentException(days.length + " days for " + scores.length + " scores");
    }
    Map<Long, List<Double>> byDay = new TreeMap<>();
    for (int i = 0; i < scores.length; i++) {
      byDay.computeIfAbsent(days[i], day -> new ArrayList<>()).add(scores[i]);
    }
    int allowed = (int) Math.floor(reviewsPerDay);
    double challenge = 0;
    for (List<Double> day : byDay.values()) {
      double[] sorted = day.stream().mapToDouble(Double::doubleValue).sorted().toArray();
      challenge = Math.max(challenge, quantileAbove(sorted, (double) allowed / sorted.length));
    }
    return withBlock(scores, fraud, challenge, legitimateScores(scores, fraud), blockPrecision, minBlocked);
  }

  private static Thresholds withBlock(double[] scores, boolean[] fraud, double challenge, double[] legit,
      double blockPrecision, int minBlocked) {
    double[] candidates = Arrays.stream(scores).filter(s -> s >= challenge).sorted().distinct().toArray();
    for (double candidate : candidates) {
      Evaluation.Confusion c = Evaluation.at(scores, fraud, candidate);
      if (c.truePositives() + c.falsePositives() < minBlocked) {
        break;
      }
      if (c.precision() >= blockPrecision) {
        return new Thresholds(challenge, candidate);
      }
    }
    return new Thresholds(challenge, Math.max(challenge, quantileAbove(legit, 1e-4)));
  }

  /** The scores of the legitimate payments, ascending; there must be some. */
  private static double[] legitimateScores(double[] scores, boolean[] fraud) {
    double[] legit = IntStream.range(0, scores.length).filter(i -> !fraud[i])
        .mapToDouble(i -> scores[i]).sorted().toArray();
    if (legit.length == 0) {
      throw new IllegalArgumentException("cannot tune thresholds without legitimate payments");
    }
    return legit;
  }

  /** The lowest threshold that at most {@code share} of the sorted values reach. */
  private static double quantileAbove(double[] sortedValues, double share) {
    int allowed = (int) Math.floor(share * sortedValues.length);
    if (allowed <= 0) {
      return Math.min(1, Math.nextUp(sortedValues[sortedValues.length - 1]));
    }
    // The value just above the (allowed+1)-th highest one lets at most `allowed` values through.
    return Math.min(1, Math.nextUp(sortedValues[sortedValues.length - allowed - 1]));
  }
}
