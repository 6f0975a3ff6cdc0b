package io.fraudstream.models;

import java.util.Arrays;

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
   * payments a day on average over the {@code days} the held-out payments span; BLOCK as in
   * {@link #tune}.
   */
  public static Thresholds tuneForCapacity(double[] scores, boolean[] fraud, double reviewsPerDay, int days,
      double blockPrecision, int minBlocked) {
    if (!(reviewsPerDay > 0) || days < 1) {
      throw new IllegalArgumentException("reviews per day must be positive over at least one day, got " + reviewsPerDay + " over " + days);
    }
    double[] all = scores.clone();
    Arrays.sort(all);
    double[] legit = legitimateScores(scores, fraud);
    double challenge = quantileAbove(all, Math.min(1, reviewsPerDay * days / all.length));
    return withBlock(scores, fraud, challenge, legit, blockPrecision, minBlocked);
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
    double[] legit = java.util.stream.IntStream.range(0, scores.length).filter(i -> !fraud[i])
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
