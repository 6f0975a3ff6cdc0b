package io.fraudstream.engine;

import io.fraudstream.features.Feature;
import io.fraudstream.features.FeatureVector;
import io.fraudstream.features.FeaturedTransaction;
import io.fraudstream.features.Transaction;
import io.fraudstream.models.ModelBundle;
import io.fraudstream.models.ModelScorer;
import io.fraudstream.models.Thresholds;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Turns a scored payment into a decision, an alert and a block: the tier from the model's score
 * against the bundle's thresholds, the reasons from the features that pushed the score up most.
 *
 * <p>Thread-safe and free of Kafka types, so every stream thread can share one.
 */
public final class DecisionPolicy {

  static final int MAX_REASONS = 3;

  private final ModelScorer scorer;
  private final String modelVersion;
  private final Thresholds thresholds;
  private final Duration blockDuration;
  private final Duration labelDelay;

  public DecisionPolicy(ModelBundle bundle, Duration blockDuration) {
    this.scorer = new ModelScorer(bundle);
    this.modelVersion = bundle.version();
    this.thresholds = bundle.thresholds();
    this.blockDuration = blockDuration;
    this.labelDelay = bundle.labelDelay();
  }

  /** The label delay the model was trained with, which the entity features must be served with. */
  public Duration labelDelay() {
    return labelDelay;
  }

  /** Scores and decides one payment. A model that fails yields CHALLENGE, never a lost payment. */
  public Decision decide(FeaturedTransaction featured, Instant now) {
    long start = System.nanoTime();
    Transaction tx = featured.transaction();
    FeatureVector features = featured.features();
    double score;
    Tier tier;
    List<String> reasons;
    try {
      ModelScorer.Score scored = scorer.score(features);
      score = scored.probability();
      tier = tierOf(score);
      reasons = reasons(features, scored.contributions());
    } catch (RuntimeException e) {
      // Failing open would let fraud through and failing closed would block everyone: ask for
      // verification instead, and say why.
      score = Double.NaN;
      tier = Tier.CHALLENGE;
      reasons = List.of("could not be scored (" + e.getClass().getSimpleName() + "), verification asked as a precaution");
    }
    return new Decision(tx.id(), tx.user(), tx.timestamp(), tx.amount(), tx.currency(), tier, score, reasons, modelVersion,
        features.toMap(), featured.extractionNanos() / 1000.0, (System.nanoTime() - start) / 1000.0, now);
  }

  Tier tierOf(double score) {
    if (score >= thresholds.block()) {
      return Tier.BLOCK;
    }
    return score >= thresholds.challenge() ? Tier.CHALLENGE : Tier.ALLOW;
  }

  /**
   * The reasons of the features that pushed the score up most, strongest first. A selection over
   * a handful of features, without boxing or sorting, because it runs for every payment.
   */
  static List<String> reasons(FeatureVector features, double[] contributions) {
    List<Feature> catalogue = Feature.all();
    int[] top = new int[MAX_REASONS];
    int found = 0;
    for (int i = 0; i < contributions.length; i++) {
      if (contributions[i] <= 0 || !catalogue.get(i).canExplain(features.get(catalogue.get(i)))) {
        continue;
      }
      int position = found < MAX_REASONS ? found++ : MAX_REASONS;
      while (position > 0 && contributions[top[position - 1]] < contributions[i]) {
        if (position < MAX_REASONS) {
          top[position] = top[position - 1];
        }
        position--;
      }
      if (position < MAX_REASONS) {
        top[position] = i;
      }
    }
    List<String> reasons = new ArrayList<>(found);
    for (int k = 0; k < found; k++) {
      Feature feature = catalogue.get(top[k]);
      reasons.add(feature.reason(features.get(feature)));
    }
    return reasons;
  }

  /** The notification for a CHALLENGE or BLOCK decision. */
  public Alert alertFor(Decision decision) {
    String amount = String.format(Locale.ROOT, "%.2f%s", decision.amount(),
        decision.currency() == null ? "" : " " + decision.currency());
    String why = decision.reasons().isEmpty() ? "it looks unusual for you" : String.join("; ", decision.reasons());
    String message = decision.tier() == Tier.BLOCK
        ? "We stopped a payment of " + amount + " and paused your account to protect you: " + why + "."
        : "Please confirm a payment of " + amount + " with a one-time code: " + why + ".";
    return new Alert(decision.paymentId(), decision.user(), decision.timestamp(), decision.tier(), message,
        decision.reasons(), decision.score(), decision.amount(), decision.currency(), decision.modelVersion());
  }

  /** The block a BLOCK decision places on its user, starting at the payment's event time. */
  public Block blockFor(Decision decision) {
    String reason = decision.reasons().isEmpty()
        ? String.format(Locale.ROOT, "fraud score %.3f", decision.score())
        : String.format(Locale.ROOT, "fraud score %.3f: %s", decision.score(), String.join("; ", decision.reasons()));
    return new Block(userEntity(decision.user()), "user", decision.paymentId(), reason, decision.timestamp(),
        decision.timestamp().plus(blockDuration));
  }

  /** The blocks-topic key of a user. */
  public static String userEntity(String user) {
    return "user:" + user;
  }
}
